import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { AppPort } from "../../core/app-port.ts";
import type { Place, Reply, Sender } from "../../core/commands/command.ts";
import type { OutgoingMessage } from "../../core/ports.ts";

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@\S+)?(?:\s+([\s\S]*))?$/;

/**
 * One terminal: a console conversation that reads lines (commands start with `/`) and prints the bot's
 * messages; an answer that grows in place is printed as it grows.
 */
export class Terminal {
  readonly conversation: string;
  /** Resolves when input ends (Ctrl-D) and every line was handled. */
  readonly closed: Promise<void>;
  readonly #app: AppPort;
  readonly #place: Place;
  readonly #sender: Sender;
  readonly #input: Readable;
  readonly #output: Writable;
  readonly #shown = new Map<string, string>();
  #atLineStart = true;
  #reader: Interface | undefined;
  #chain: Promise<void> = Promise.resolve();
  #resolveClosed: () => void = () => undefined;

  constructor(options: { app: AppPort; conversation: string; sender: Sender; input: Readable; output: Writable }) {
    this.conversation = options.conversation;
    this.#app = options.app;
    this.#place = { conversation: options.conversation, direct: true };
    this.#sender = options.sender;
    this.#input = options.input;
    this.#output = options.output;
    this.closed = new Promise<void>((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  /** Prints the banner and starts reading; readline is created only now, so no line is read unheard. */
  start(): void {
    this.#line(`threadkeeper console — conversation ${this.conversation}. Type /help.`);
    this.#reader = createInterface({ input: this.#input, terminal: false });
    this.#reader.on("line", (text) => {
      this.#chain = this.#chain
        .then(() => this.#handle(text))
        .catch((error: unknown) => this.#line(`error> ${String(error)}`));
    });
    this.#reader.on("close", () => void this.#chain.then(this.#resolveClosed));
  }

  /** Stops reading. */
  stop(): void {
    this.#reader?.close();
  }

  /** Shows a new message; `id` is the channel-wide message id. */
  show(id: string, message: OutgoingMessage): void {
    this.#shown.set(id, message.text);
    // No newline yet: a streamed answer continues on the same line as it grows.
    this.#write(`${this.#atLineStart ? "" : "\n"}bot> ${render(message)}`);
  }

  /** Shows a new version of message `id`: only the new part when the text grew. */
  update(id: string, message: OutgoingMessage): void {
    const before = this.#shown.get(id) ?? "";
    this.#shown.set(id, message.text);
    const grew = before.length > 0 && message.text.startsWith(before) && !message.buttons?.length;
    if (grew) this.#write(message.text.slice(before.length));
    else this.#line(`bot> ${render(message)}`);
  }

  /** Prints one line of the bot's own (a file saved, say), on a line of its own. */
  print(line: string): void {
    this.#line(line);
  }

  async #handle(text: string): Promise<void> {
    const trimmed = text.trim();
    if (trimmed === "") return;
    const match = COMMAND.exec(trimmed);
    const place = this.#place;
    const sender = this.#sender;
    const reply: Reply | undefined = match?.[1]
      ? await this.#app.handleCommand({ place, sender, name: match[1].toLowerCase(), text: match[2] ?? "" })
      : await this.#app.handleMessage({ place, sender, text: trimmed });
    if (reply) this.#line(`bot> ${render(reply)}`);
  }

  #write(text: string): void {
    this.#output.write(text);
    this.#atLineStart = text.endsWith("\n");
  }

  #line(text: string): void {
    this.#write(`${this.#atLineStart ? "" : "\n"}${text}\n`);
  }
}

/** A message as text, with its buttons as hints (a terminal cannot press them). */
function render(message: OutgoingMessage): string {
  const hints = (message.buttons ?? []).map((b) => `[${b.label}]`).join(" ");
  return `${message.text}${hints ? `\n${hints} (type /resume to continue)` : ""}`;
}
