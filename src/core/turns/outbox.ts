import type { Channels } from "../channels.ts";
import { userMessage } from "../errors.ts";
import type { OutboxItem } from "../model.ts";
import type { Button, Clock, Logger, StorePort } from "../ports.ts";

const MAX_BACKOFF_MS = 60_000;

/**
 * Messages that must arrive exactly once (restart notices): stored before the first attempt,
 * retried with backoff until the platform accepts them — across bot restarts too — and removed
 * only once delivered. The id is the dedupe key (turn and gateway boot), so a notice is never
 * queued twice.
 */
export class Outbox {
  readonly #store: StorePort;
  readonly #channels: Channels;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(options: { store: StorePort; channels: Channels; clock: Clock; logger: Logger }) {
    this.#store = options.store;
    this.#channels = options.channels;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  /** Queues a message durably (no-op if `id` was queued or delivered before) and tries to send it. */
  async post(item: {
    id: string;
    conversation: string;
    text: string;
    buttons?: Button[];
    noticeId?: string;
  }): Promise<void> {
    const known =
      this.#store.state.outbox[item.id] ??
      (item.noticeId ? this.#store.state.notices[item.noticeId]?.messageId : undefined);
    if (known) return;
    const seq = this.#store.state.seq + 1;
    const now = this.#clock.now();
    const stored: OutboxItem = {
      ...item,
      buttons: item.buttons ?? [],
      createdAt: now,
      seq,
      attempts: 0,
      nextAttemptAt: now,
    };
    await this.#store.update({ seq, outbox: { [item.id]: stored } });
    await this.drain();
  }

  /** Sends every due item in order; resolves when this pass is over. */
  drain(): Promise<void> {
    this.#running = this.#running.then(() => this.#pass());
    return this.#running;
  }

  /** Resolves once nothing is pending for `conversation` (notices go before continuation output). */
  async settled(conversation: string): Promise<void> {
    for (let i = 0; i < 50 && this.#pending(conversation).length > 0; i++) {
      await this.drain();
      if (this.#pending(conversation).length > 0) await sleep(200);
    }
  }

  /** Stops retrying (the items stay stored for the next start). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  #pending(conversation?: string): OutboxItem[] {
    return Object.values(this.#store.state.outbox)
      .filter((item) => conversation === undefined || item.conversation === conversation)
      .sort((a, b) => a.seq - b.seq);
  }

  async #pass(): Promise<void> {
    if (this.#stopped) return;
    const now = this.#clock.now();
    const failed = new Set<string>();
    for (const item of this.#pending()) {
      // Keep per-conversation order: after a failure, later items there wait.
      if (item.nextAttemptAt > now || failed.has(item.conversation)) continue;
      if (!(await this.#attempt(item))) failed.add(item.conversation);
    }
    this.#schedule();
  }

  async #attempt(item: OutboxItem): Promise<boolean> {
    try {
      const channel = this.#channels.for(item.conversation);
      const messageId = await channel.send(item.conversation, {
        text: item.text,
        format: "plain",
        buttons: item.buttons,
      });
      await this.#store.update({
        outbox: { [item.id]: null },
        ...(item.noticeId ? { notices: { [item.noticeId]: { messageId } } } : {}),
      });
      return true;
    } catch (error) {
      const attempts = item.attempts + 1;
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempts, 7));
      this.#logger.warn("outbox: delivery failed, will retry", { id: item.id, attempts, error });
      await this.#store.update({
        outbox: { [item.id]: { attempts, nextAttemptAt: this.#clock.now() + delay, lastError: userMessage(error) } },
      });
      return false;
    }
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    const next = Math.min(...this.#pending().map((item) => item.nextAttemptAt));
    if (!Number.isFinite(next) || this.#stopped) return;
    this.#timer = setTimeout(() => void this.drain(), Math.max(50, next - this.#clock.now()));
    this.#timer.unref?.();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
