import type { Update } from "grammy/types";
import type { TelegramUpdateRecord } from "../../core/model.ts";
import type { Clock, MergePatch, StorePort } from "../../core/ports.ts";
import type { UpdateQueue } from "./update-queue.ts";

/** How long a handled update's id is remembered, so a late redelivery is still recognised. */
export const TOMBSTONE_MS = 24 * 60 * 60 * 1000;
/** Tombstones are swept at most this often (a sweep reads every record). */
const PRUNE_EVERY_MS = 60 * 1000;

/**
 * The UpdateQueue of one process on the JSON store (the embedded default): updates are kept in the
 * store's `telegramUpdates` record, pending ones with the raw update, done ones as tombstones.
 * The ids of pending updates are also kept in memory, so pending() never walks a day of tombstones;
 * hence one instance per store (the JSON store belongs to one process anyway).
 */
export class StoreUpdateQueue implements UpdateQueue {
  readonly #store: StorePort;
  readonly #clock: Clock;
  readonly #listeners = new Set<() => void>();
  readonly #pending = new Set<number>();
  /** Puts whose write has not settled: a redelivery meanwhile answers only once the first is durable. */
  readonly #writing = new Map<number, Promise<void>>();
  /** Ids in memory whose write failed: not durable, so a redelivery writes them again. */
  readonly #unwritten = new Set<number>();
  #prunedAt = 0;

  constructor(options: { store: StorePort; clock?: Clock | undefined }) {
    this.#store = options.store;
    this.#clock = options.clock ?? { now: Date.now };
    for (const [id, record] of Object.entries(this.#records)) if (record.update) this.#pending.add(Number(id));
  }

  get #records(): Readonly<Record<string, TelegramUpdateRecord>> {
    return this.#store.state.telegramUpdates;
  }

  async put(update: Update): Promise<boolean> {
    const id = update.update_id;
    const writing = this.#writing.get(id);
    if (writing) {
      await writing;
      return false;
    }
    const known = this.#records[String(id)];
    if (known && !this.#unwritten.has(id)) return false;
    // A done update whose tombstone is in memory only: its write (or the one after) makes it durable.
    const patch: MergePatch<Record<string, TelegramUpdateRecord>> =
      known?.doneAt !== undefined ? {} : { [id]: { update: asRecord(update), receivedAt: this.#clock.now() } };
    const write = this.#store.update({ telegramUpdates: patch });
    this.#writing.set(id, write);
    if (known === undefined) this.#pending.add(id);
    try {
      await write;
      this.#unwritten.delete(id);
    } catch (error) {
      this.#unwritten.add(id);
      throw error;
    } finally {
      this.#writing.delete(id);
    }
    for (const listener of [...this.#listeners]) listener();
    return known === undefined;
  }

  async pending(limit: number): Promise<Update[]> {
    const ids = [...this.#pending].sort((a, b) => a - b).slice(0, limit);
    return ids.flatMap((id) => {
      const update = this.#records[String(id)]?.update;
      return update ? [update as unknown as Update] : [];
    });
  }

  async done(updateId: number): Promise<void> {
    const now = this.#clock.now();
    // An id never put (nothing else calls done with one) still gets a valid tombstone.
    const received = this.#records[String(updateId)] ? {} : { receivedAt: now };
    const patch: MergePatch<Record<string, TelegramUpdateRecord>> = {
      ...this.#expired(now),
      [updateId]: { update: null, doneAt: now, ...received },
    };
    this.#pending.delete(updateId);
    await this.#store.update({ telegramUpdates: patch });
  }

  onPut(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Deletions of the tombstones older than a day, at most once a minute. */
  #expired(now: number): Record<string, null> {
    if (now - this.#prunedAt < PRUNE_EVERY_MS) return {};
    this.#prunedAt = now;
    const old: Record<string, null> = {};
    for (const [id, record] of Object.entries(this.#records)) {
      if (record.doneAt !== undefined && now - record.doneAt > TOMBSTONE_MS) old[id] = null;
    }
    return old;
  }
}

/** The update as the store's loose record of it (an object with an update_id, which it is). */
function asRecord(update: Update): NonNullable<TelegramUpdateRecord["update"]> {
  return update as unknown as NonNullable<TelegramUpdateRecord["update"]>;
}
