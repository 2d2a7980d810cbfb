import type { Update } from "grammy/types";
import type { Logger } from "../../core/ports.ts";
import { errorFields } from "./errors.ts";
import type { UpdateQueue } from "./update-queue.ts";

/** What the consumer needs; the defaults suit production. */
export interface UpdateConsumerOptions {
  queue: UpdateQueue;
  /** Runs an update's handlers (bot.handleUpdate); resolves when they finished. */
  handle: (update: Update) => Promise<void>;
  logger: Logger;
  /** The bot token, kept out of logged errors. */
  token: string;
  /** How often the queue is read without a put to wake it (another process may have put). */
  recheckMs?: number | undefined;
  /** How long stop() waits for running handlers. */
  stopGraceMs?: number | undefined;
}

/** New updates taken per read of the queue (Telegram's getUpdates limit, for the same batches). */
const BATCH = 100;

/**
 * Hands the updates a webhook recorded to the bot, the way long polling does (polling.ts): every
 * update is started at once, in update_id order, so each takes its place in the conversation order
 * synchronously (order.ts: a command is never stuck behind a message, a conversation's messages stay
 * in order), and it is marked done only after its handler finished. An update whose handler throws
 * is logged and marked done, as polling confirms it: never retried in a loop.
 */
export class UpdateConsumer {
  readonly #options: UpdateConsumerOptions;
  /** Started and not yet marked done (or whose done failed, to be retried): never started again. */
  readonly #taken = new Set<number>();
  /** Handlers still running. */
  readonly #running = new Set<Promise<void>>();
  /** Handled updates whose done() failed; retried on the next read. */
  readonly #undone = new Set<number>();
  /** Reads of the queue started so far. */
  #reads = 0;
  /**
   * Updates marked done, with the read count at that moment. A read that started before the done
   * landed may still list the update as pending (a Postgres query in flight): it is skipped by every
   * read up to that count, and forgotten by the first read that started after.
   */
  readonly #settled = new Map<number, number>();
  #stop: (() => void) | undefined;
  #reading: Promise<void> | undefined;
  #again = false;

  constructor(options: UpdateConsumerOptions) {
    this.#options = options;
  }

  /** True between start() and stop(). */
  get started(): boolean {
    return this.#stop !== undefined;
  }

  /** Starts handling what is pending and whatever is put from now on. */
  start(): void {
    if (this.#stop) return;
    const unsubscribe = this.#options.queue.onPut(() => this.#wake());
    const timer = setInterval(() => this.#wake(), this.#options.recheckMs ?? 1000);
    this.#stop = () => {
      unsubscribe();
      clearInterval(timer);
    };
    this.#wake();
  }

  /** Takes nothing more and waits (a while) for running handlers; what has not finished stays pending. */
  async stop(): Promise<void> {
    const stop = this.#stop;
    this.#stop = undefined;
    stop?.();
    await this.#reading;
    await waitSettled([...this.#running], this.#options.stopGraceMs ?? 10_000);
  }

  /** Reads the queue now, or again right after the read in progress (a put may have come in during it). */
  #wake(): void {
    if (!this.#stop) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = this.#read().finally(() => {
      this.#reading = undefined;
    });
  }

  async #read(): Promise<void> {
    const { queue, logger, token } = this.#options;
    do {
      this.#again = false;
      await this.#retryDone();
      let updates: Update[];
      const read = ++this.#reads;
      try {
        updates = await queue.pending(this.#taken.size + this.#settled.size + BATCH);
      } catch (error) {
        logger.error("telegram: reading the update queue failed, retrying", errorFields(error, token));
        return;
      }
      for (const [id, at] of this.#settled) if (at < read) this.#settled.delete(id);
      // Started synchronously, in update_id order: that is how each takes its place in the order.
      for (const update of updates) if (this.#stop && this.#isNew(update.update_id)) this.#start(update);
    } while (this.#again && this.#stop);
  }

  #isNew(id: number): boolean {
    return !this.#taken.has(id) && !this.#settled.has(id);
  }

  #start(update: Update): void {
    const id = update.update_id;
    this.#taken.add(id);
    const run = this.#handle(update).finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  async #handle(update: Update): Promise<void> {
    const { handle, logger, token } = this.#options;
    try {
      await handle(update);
    } catch (error) {
      logger.error("telegram: update handler failed", { updateId: update.update_id, ...errorFields(error, token) });
    }
    await this.#done(update.update_id);
  }

  async #done(id: number): Promise<void> {
    try {
      await this.#options.queue.done(id);
      this.#settled.set(id, this.#reads);
      this.#taken.delete(id);
      this.#undone.delete(id);
    } catch (error) {
      // Left taken, so it is not handled twice; its done is tried again on the next read.
      this.#undone.add(id);
      const level = this.#stop ? "warn" : "debug";
      this.#options.logger[level]("telegram: update not marked done", {
        updateId: id,
        ...errorFields(error, this.#options.token),
      });
    }
  }

  async #retryDone(): Promise<void> {
    for (const id of [...this.#undone]) await this.#done(id);
  }
}

/** Resolves when every promise settled, or after `ms`. */
async function waitSettled(promises: readonly Promise<void>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.allSettled(promises), timeout]);
  clearTimeout(timer);
}
