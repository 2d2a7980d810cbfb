import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { AppPort } from "../../core/app-port.ts";
import type { Place, Reply, Sender } from "../../core/command.ts";
import { consoleKey } from "../../core/keys/conversation-key.ts";
import type { ChannelPort, OutgoingMessage } from "../../core/ports.ts";

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@\S+)?(?:\s+([\s\S]*))?$/;

/** The terminal as a conversation: the embedded default when no platform token is set. */
export interface ConsoleChannel {
  channel: ChannelPort;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when input ends (Ctrl-D) and every line was handled. */
  closed: Promise<void>;
}

/**
 * Reads lines from `input` (commands start with `/`), writes the bot's messages to `output`.
 * An answer that grows in place is printed as it grows.
 */
export function createConsoleChannel(options: {
  app: AppPort;
  conversation: string;
  user: string;
  input: Readable;
  output: Writable;
}): ConsoleChannel {
  const conversation = consoleKey.encode(options.conversation);
  const place: Place = { conversation, direct: true };
  const sender: Sender = { id: `console:${options.user}`, name: options.user };
  const shown = new Map<string, string>();
  let nextId = 0;
  let atLineStart = true;
  const write = (text: string) => {
    options.output.write(text);
    atLineStart = text.endsWith("\n");
  };
  const line = (text: string) => write(`${atLineStart ? "" : "\n"}${text}\n`);
  const print = (message: OutgoingMessage) => {
    const hints = (message.buttons ?? []).map((b) => `[${b.label}]`).join(" ");
    return `${message.text}${hints ? `\n${hints} (type /resume to continue)` : ""}`;
  };
  const channel: ChannelPort = {
    platform: "console",
    maxMessageLength: 100_000,
    minEditIntervalMs: 50,
    async send(_conversation, message) {
      const id = String(++nextId);
      shown.set(id, message.text);
      // No newline yet: a streamed answer continues on the same line as it grows.
      write(`${atLineStart ? "" : "\n"}bot> ${print(message)}`);
      return id;
    },
    async edit(_conversation, messageId, message) {
      const before = shown.get(messageId) ?? "";
      shown.set(messageId, message.text);
      const grew = before.length > 0 && message.text.startsWith(before) && !message.buttons?.length;
      if (grew) write(message.text.slice(before.length));
      else line(`bot> ${print(message)}`);
    },
    async typing() {},
  };
  const render = (reply: Reply | undefined) => {
    if (reply) line(`bot> ${print(reply)}`);
  };
  const handle = async (text: string) => {
    const trimmed = text.trim();
    if (trimmed === "") return;
    const match = COMMAND.exec(trimmed);
    if (match?.[1])
      render(await options.app.handleCommand({ place, sender, name: match[1].toLowerCase(), text: match[2] ?? "" }));
    else render(await options.app.handleMessage({ place, sender, text: trimmed }));
  };
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  // Created in start(): readline consumes input as soon as it exists, and lines read before a
  // listener is attached would be lost.
  let reader: ReturnType<typeof createInterface> | undefined;
  let chain = Promise.resolve();
  return {
    channel,
    closed,
    async start() {
      line(`threadkeeper console — conversation ${conversation}. Type /help.`);
      reader = createInterface({ input: options.input, terminal: false });
      reader.on("line", (text) => {
        chain = chain.then(() => handle(text)).catch((error: unknown) => line(`error> ${String(error)}`));
      });
      reader.on("close", () => void chain.then(resolveClosed));
    },
    async stop() {
      reader?.close();
    },
  };
}
