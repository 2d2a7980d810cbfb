import type { Update } from "grammy/types";

/**
 * Which updates are in flight, and so which offset may be confirmed.
 *
 * Telegram forgets every update below the `offset` of a getUpdates call. grammY's runner sends
 * "last fetched + 1", which confirms updates before their handlers ran: a crash then loses them.
 * We send the id of the oldest update whose handler has not finished instead (the core's
 * handleMessage resolves only once the message is journaled on disk), so an unfinished update is
 * fetched again after a restart. Updates fetched again while this process still runs them are
 * dropped here by id.
 */
export class UpdateLedger {
  readonly #inFlight = new Set<number>();
  #next = 0;
  #waiters: (() => void)[] = [];

  /** The offset to send: the oldest unfinished update, else one past the newest seen. */
  get offset(): number {
    return this.#inFlight.size > 0 ? Math.min(...this.#inFlight) : this.#next;
  }

  /** True while some handler has not finished. */
  get busy(): boolean {
    return this.#inFlight.size > 0;
  }

  /**
   * Keeps the updates not seen before (of a response to getUpdates sent with `offset`) and marks
   * them in flight. A poll sent past everything seen returns only new updates; taking them all
   * keeps us right even when Telegram restarts its update ids (it does after a week without any).
   */
  accept(updates: readonly Update[], offset: number): Update[] {
    const fresh = offset === this.#next ? [...updates] : updates.filter((u) => u.update_id >= this.#next);
    for (const update of fresh) {
      this.#inFlight.add(update.update_id);
      this.#next = Math.max(this.#next, update.update_id + 1);
    }
    return fresh;
  }

  /** Marks an update's handler finished. */
  settle(updateId: number): void {
    this.#inFlight.delete(updateId);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next settle, after `ms`, or when `signal` aborts. */
  changed(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done);
      this.#waiters.push(done);
    });
  }

  /** Resolves once no handler is running, or after `ms`. */
  async idle(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.busy && Date.now() < deadline) await this.changed(deadline - Date.now());
  }
}
