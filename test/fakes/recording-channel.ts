import type { Platform } from "../../src/core/keys/conversation-key.ts";
import type { ChannelPort, OutgoingFile, OutgoingMessage } from "../../src/core/ports.ts";

/** One message as the recording channel holds it, with every text it showed. */
export interface RecordedMessage {
  id: string;
  conversation: string;
  text: string;
  buttons: { label: string; data: string }[];
  edits: string[];
  /** Set on a file the channel posted. */
  file?: RecordedFile | undefined;
}

/** A file as the recording channel keeps it: what was sent, its content read whole. */
export interface RecordedFile extends Omit<OutgoingFile, "content"> {
  bytes: Uint8Array;
}

/**
 * An in-memory ChannelPort for core tests: it keeps every message with its edit history, counts
 * typing, and can be told to fail sends (to test the outbox).
 */
export class RecordingChannel implements ChannelPort {
  readonly platform: Platform;
  readonly maxMessageLength: number;
  readonly minEditIntervalMs: number;
  readonly maxFileBytes: number;
  readonly messages: RecordedMessage[] = [];
  readonly typing_: string[] = [];
  /** Number of upcoming send() calls that throw. */
  failSends = 0;
  #waiters: { predicate: () => boolean; resolve: () => void }[] = [];

  constructor(
    options: { platform?: Platform; maxMessageLength?: number; minEditIntervalMs?: number; maxFileBytes?: number } = {},
  ) {
    this.maxFileBytes = options.maxFileBytes ?? 10 * 1024 * 1024;
    this.platform = options.platform ?? "console";
    this.maxMessageLength = options.maxMessageLength ?? 4096;
    this.minEditIntervalMs = options.minEditIntervalMs ?? 10;
  }

  async send(conversation: string, message: OutgoingMessage): Promise<string> {
    if (this.failSends > 0) {
      this.failSends--;
      throw new Error("injected send failure (429 Too Many Requests)");
    }
    const id = String(this.messages.length + 1);
    this.messages.push({ id, conversation, text: message.text, buttons: message.buttons ?? [], edits: [message.text] });
    this.#notify();
    return id;
  }

  async edit(_conversation: string, messageId: string, message: OutgoingMessage): Promise<void> {
    const record = this.messages.find((m) => m.id === messageId);
    if (!record) throw new Error(`no message ${messageId}`);
    if (record.text === message.text && (message.buttons ?? []).length === record.buttons.length) {
      throw new Error("message is not modified");
    }
    record.text = message.text;
    record.buttons = message.buttons ?? [];
    record.edits.push(message.text);
    this.#notify();
  }

  /** Records a file as a message `📎 <name>` (so its order with the text shows) and keeps its bytes. */
  async sendFile(conversation: string, file: OutgoingFile): Promise<string> {
    if (file.content.size > this.maxFileBytes) throw new Error("413: file too large");
    const { content, ...sent } = file;
    const pieces: Uint8Array[] = [];
    for await (const piece of content.open()) pieces.push(piece);
    const bytes = Buffer.concat(pieces);
    if (bytes.byteLength !== content.size) throw new Error(`file is ${bytes.byteLength} bytes, said ${content.size}`);
    const id = String(this.messages.length + 1);
    const text = `📎 ${file.fileName}`;
    this.messages.push({ id, conversation, text, buttons: [], edits: [text], file: { ...sent, bytes } });
    this.#notify();
    return id;
  }

  async typing(conversation: string): Promise<void> {
    this.typing_.push(conversation);
  }

  /** Messages in one conversation. */
  in(conversation: string): RecordedMessage[] {
    return this.messages.filter((m) => m.conversation === conversation);
  }

  /** Resolves when `predicate` holds (checked on every change), or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("RecordingChannel.waitFor timed out")), timeoutMs);
      this.#waiters.push({
        predicate,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  #notify(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.predicate()) return true;
      w.resolve();
      return false;
    });
  }
}
