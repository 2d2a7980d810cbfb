import type { Button, ChannelPort, Clock, Logger } from "../ports.ts";
import { texts } from "../texts.ts";
import { splitMessage } from "./split.ts";

const TYPING_EVERY_MS = 4_000;

/**
 * One agent answer shown in a conversation as it grows: the first message is edited in place at
 * the rate the platform accepts, continuation messages are added past the length limit, and an
 * edit is made only when a message's text actually changed.
 */
export class ReplyStream {
  readonly #channel: ChannelPort;
  readonly #conversation: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #ids: string[] = [];
  readonly #shown: string[] = [];
  #text = "";
  #lastFlushAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #typing: ReturnType<typeof setInterval> | undefined;
  #chain: Promise<void> = Promise.resolve();
  #done = false;
  /** The first message was posted by an earlier run of the bot (journaled), not by this stream. */
  #inherited = false;
  readonly #onFirstPosted: ((messageId: string) => void) | undefined;

  constructor(options: {
    channel: ChannelPort;
    conversation: string;
    clock: Clock;
    logger: Logger;
    firstMessageId?: string | undefined;
    /** Told the first message's id once posted, so it can be journaled and finished in place after a restart. */
    onFirstPosted?: ((messageId: string) => void) | undefined;
  }) {
    this.#channel = options.channel;
    this.#conversation = options.conversation;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#onFirstPosted = options.onFirstPosted;
    if (options.firstMessageId) {
      // A restarted bot continues the message it had started, whatever it showed.
      this.#ids.push(options.firstMessageId);
      this.#shown.push("\u0000");
      this.#inherited = true;
    }
  }

  /** Platform id of the first message, once one was sent. */
  get firstMessageId(): string | undefined {
    return this.#ids[0];
  }

  /** The text received so far (what is shown, or about to be at the next edit). */
  get text(): string {
    return this.#text;
  }

  /** True when `messageId` is one of the messages this answer is shown in. */
  shows(messageId: string): boolean {
    return this.#ids.includes(messageId);
  }

  /** Shows "typing…" now and every few seconds until the answer is finished. */
  startTyping(): void {
    if (this.#typing || this.#done) return;
    const tick = () => void this.#channel.typing(this.#conversation).catch(() => undefined);
    tick();
    this.#typing = setInterval(tick, TYPING_EVERY_MS);
    this.#typing.unref?.();
  }

  /** The cumulative text so far; shown at the next allowed edit. */
  update(text: string): void {
    if (this.#done || text === this.#text) return;
    this.#text = text;
    if (this.#timer) return;
    const wait = Math.max(0, this.#lastFlushAt + this.#channel.minEditIntervalMs - this.#clock.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flush([]);
    }, wait);
  }

  /** Shows the final text (with buttons on the last message) and stops typing. */
  async finish(text: string, buttons: Button[] = []): Promise<void> {
    this.#done = true;
    this.#text = text;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#typing) clearInterval(this.#typing);
    await this.#flush(buttons);
  }

  /** Ends a turn a restart cut short: what was shown stays, marked as interrupted. */
  async interrupt(): Promise<void> {
    if (this.#done) return;
    if (this.#text.trim() === "") return this.cancel();
    await this.finish(`${this.#text}\n\n${texts.interruptedSuffix}`);
  }

  /** Stops typing and pending edits without showing anything more. */
  cancel(): void {
    this.#done = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#typing) clearInterval(this.#typing);
  }

  #flush(buttons: Button[]): Promise<void> {
    this.#chain = this.#chain
      .then(() => this.#render(buttons))
      .catch((error: unknown) => {
        this.#logger.warn("reply stream: platform call failed", { conversation: this.#conversation, error });
        if (this.#done) throw error;
      });
    return this.#chain;
  }

  async #render(buttons: Button[]): Promise<void> {
    this.#lastFlushAt = this.#clock.now();
    if (this.#text.length === 0) return;
    const chunks = splitMessage(this.#text, this.#channel.maxMessageLength);
    for (const [index, chunk] of chunks.entries()) {
      const last = index === chunks.length - 1;
      const message = { text: chunk, format: "markdown" as const, buttons: last && this.#done ? buttons : undefined };
      const id = this.#ids[index];
      if (id === undefined) {
        this.#ids.push(await this.#channel.send(this.#conversation, message));
        if (index === 0) this.#onFirstPosted?.(this.#ids[0] ?? "");
      } else if (index === 0 && this.#inherited) {
        await this.#editInherited(id, message);
      } else if (this.#shown[index] !== chunk || (last && buttons.length > 0)) {
        await this.#channel.edit(this.#conversation, id, message);
      }
      this.#shown[index] = chunk;
    }
  }

  /**
   * The first edit of a message an earlier run posted: if it cannot be edited (deleted, too old, or
   * not there at all), the answer goes into a new message instead, so it is shown either way.
   */
  async #editInherited(id: string, message: { text: string; format: "markdown"; buttons: Button[] | undefined }) {
    this.#inherited = false;
    try {
      await this.#channel.edit(this.#conversation, id, message);
    } catch (error) {
      this.#logger.warn("reply stream: the earlier answer message cannot be edited; posting anew", {
        conversation: this.#conversation,
        error,
      });
      this.#ids[0] = await this.#channel.send(this.#conversation, message);
      this.#onFirstPosted?.(this.#ids[0]);
    }
  }
}
