import type { JournalEntry } from "../model.ts";
import type { Logger, StorePort } from "../ports.ts";

/**
 * The per-thread order of turns: each thread's turns run one after another, and a count of turns
 * accepted and not yet finished tells whether a new turn may skip the queue.
 */
export class TurnQueue {
  readonly #store: StorePort;
  readonly #logger: Logger;
  readonly #chains = new Map<string, Promise<void>>();
  /** Turns per thread accepted or scheduled and not yet finished; a new turn skips the queue only at none. */
  readonly #open = new Map<string, number>();

  constructor(options: { store: StorePort; logger: Logger }) {
    this.#store = options.store;
    this.#logger = options.logger;
  }

  /** Counts a turn of the thread as accepted and not yet finished. */
  hold(slug: string): void {
    this.#open.set(slug, (this.#open.get(slug) ?? 0) + 1);
  }

  /** Undoes one hold. */
  drop(slug: string): void {
    const left = (this.#open.get(slug) ?? 1) - 1;
    if (left > 0) this.#open.set(slug, left);
    else this.#open.delete(slug);
  }

  /** True while a turn of the thread is held. */
  isHeld(slug: string): boolean {
    return this.#open.has(slug);
  }

  /** Runs a held turn after the thread's earlier ones; its hold ends when it has run. */
  enqueue(entry: JournalEntry, run: () => Promise<void>): void {
    const previous = this.#chains.get(entry.slug) ?? Promise.resolve();
    const next = previous
      .then(run)
      .catch((error: unknown) => {
        this.#logger.error("turn failed", { turnId: entry.turnId, error });
      })
      .finally(() => this.drop(entry.slug));
    this.#chains.set(entry.slug, next);
  }

  /** Journal entries not yet sent to any gateway boot (the inbox), in arrival order. */
  inbox(slug?: string): JournalEntry[] {
    return Object.values(this.#store.state.journal)
      .filter((e) => e.sentBootId === undefined && (slug === undefined || e.slug === slug))
      .sort((a, b) => a.seq - b.seq);
  }
}
