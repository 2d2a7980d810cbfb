import { basename } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { AppPort } from "../../core/app-port.ts";
import { BotError, ErrorCode } from "../../core/errors.ts";
import { consoleKey } from "../../core/keys/conversation-key.ts";
import { senderId } from "../../core/keys/sender-id.ts";
import type { ChannelPort } from "../../core/ports.ts";
import { CONSOLE_FILE_MAX_BYTES, saveFile, sizeText } from "./files.ts";
import { Terminal } from "./terminal.ts";

/** The console channel: one or more terminals, each a conversation `console:<name>`. */
export interface ConsoleChannel {
  channel: ChannelPort;
  /** Opens a terminal for conversation `name` on the given streams (call `start()` on it). */
  attach(name: string, input: Readable, output: Writable): Terminal;
  /** Stops reading every terminal. */
  stop(): Promise<void>;
}

/** Options of createConsoleChannel. */
export interface ConsoleChannelOptions {
  app: AppPort;
  /** The operator's name (the console's sender). */
  user: string;
  /** Where files the agent sends are saved (`<store dir>/files`); without it the console takes no files. */
  filesDir?: string | undefined;
}

/**
 * The embedded default when no platform token is set: the terminal `npm start` runs in, plus any
 * terminal that joins it (see share.ts), each its own conversation.
 */
export function createConsoleChannel(options: ConsoleChannelOptions): ConsoleChannel {
  const sender = { id: senderId.encode({ platform: "console", userId: options.user }), name: options.user };
  const terminals = new Map<string, Terminal>();
  let nextId = 0;
  const terminal = (conversation: string): Terminal => {
    const found = terminals.get(conversation);
    if (!found) throw new BotError(ErrorCode.Platform, `No terminal is open for ${conversation}.`);
    return found;
  };
  const files =
    options.filesDir === undefined ? {} : fileCapability(options.filesDir, terminal, () => String(++nextId));
  const channel: ChannelPort = {
    platform: "console",
    maxMessageLength: 100_000,
    minEditIntervalMs: 50,
    async send(conversation, message) {
      const id = String(++nextId);
      terminal(conversation).show(id, message);
      return id;
    },
    async edit(conversation, messageId, message) {
      terminal(conversation).update(messageId, message);
    },
    async typing() {},
    // The terminal has no native threads to rename.
    async renameThread() {},
    ...files,
  };
  return {
    channel,
    attach(name, input, output) {
      const conversation = consoleKey.encode(name);
      const opened = new Terminal({ app: options.app, conversation, sender, input, output });
      terminals.set(conversation, opened);
      void opened.closed.then(() => {
        if (terminals.get(conversation) === opened) terminals.delete(conversation);
      });
      return opened;
    },
    async stop() {
      for (const opened of terminals.values()) opened.stop();
    },
  };
}

/** sendFile for the console: a terminal cannot show a file, so it is saved and the terminal says where. */
function fileCapability(
  dir: string,
  terminal: (conversation: string) => Terminal,
  nextId: () => string,
): Pick<ChannelPort, "maxFileBytes" | "sendFile"> {
  return {
    maxFileBytes: CONSOLE_FILE_MAX_BYTES,
    async sendFile(conversation, file) {
      const shown = terminal(conversation);
      const path = await saveFile(dir, file);
      shown.print(`📎 saved ${basename(path)} (${file.mimeType}, ${sizeText(file.content.size)}): ${path}`);
      return nextId();
    },
  };
}
