import type { Readable, Writable } from "node:stream";
import type { AppPort } from "../../core/app-port.ts";
import { BotError, ErrorCode } from "../../core/errors.ts";
import { consoleKey } from "../../core/keys/conversation-key.ts";
import { senderId } from "../../core/keys/sender-id.ts";
import type { ChannelPort } from "../../core/ports.ts";
import { Terminal } from "./terminal.ts";

/** The console channel: one or more terminals, each a conversation `console:<name>`. */
export interface ConsoleChannel {
  channel: ChannelPort;
  /** Opens a terminal for conversation `name` on the given streams (call `start()` on it). */
  attach(name: string, input: Readable, output: Writable): Terminal;
  /** Stops reading every terminal. */
  stop(): Promise<void>;
}

/**
 * The embedded default when no platform token is set: the terminal `npm start` runs in, plus any
 * terminal that joins it (see share.ts), each its own conversation.
 */
export function createConsoleChannel(options: { app: AppPort; user: string }): ConsoleChannel {
  const sender = { id: senderId.encode({ platform: "console", userId: options.user }), name: options.user };
  const terminals = new Map<string, Terminal>();
  let nextId = 0;
  const terminal = (conversation: string): Terminal => {
    const found = terminals.get(conversation);
    if (!found) throw new BotError(ErrorCode.Platform, `No terminal is open for ${conversation}.`);
    return found;
  };
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
