import { ApiFailure } from "./state.ts";

/** An update as the fake queues it: an id and one payload field (message, callback_query, …). */
export type FakeUpdate = { update_id: number } & Record<string, unknown>;

interface Waiter {
  /** Answers the poll; unless `force`, only when an update is available. */
  wake(force: boolean): void;
  conflict(): void;
}

const CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";

/**
 * Telegram's getUpdates semantics: updates stay until a later call's `offset` confirms them,
 * `timeout` holds the request open until an update arrives, a newer call ends an older pending
 * one with 409, and `allowed_updates` (remembered across calls) filters update types.
 */
export class UpdateQueue {
  #updates: FakeUpdate[] = [];
  #nextId = 1;
  #waiter: Waiter | undefined;
  #allowed: readonly string[] | undefined;
  #onPush: (() => void) | undefined;
  /** Highest offset any getUpdates call has confirmed (every update below it is gone). */
  confirmedOffset = 0;

  /** Queues an update (its id is assigned here) and wakes a pending poll (or the webhook delivery). */
  push(payload: Record<string, unknown>): FakeUpdate {
    const update = { update_id: this.#nextId++, ...structuredClone(payload) };
    this.#updates.push(update);
    this.#waiter?.wake(false);
    this.#onPush?.();
    return update;
  }

  /** Calls `listener` on every push (the webhook delivery's wake-up). */
  onPush(listener: (() => void) | undefined): void {
    this.#onPush = listener;
  }

  /** The oldest update the bot wants, for webhook delivery. */
  next(): FakeUpdate | undefined {
    return this.#available(1)[0];
  }

  /** Forgets an update and those before it, as a webhook delivery confirms (or gives up on) it. */
  confirm(updateId: number): void {
    this.#updates = this.#updates.filter((u) => u.update_id > updateId);
    this.confirmedOffset = Math.max(this.confirmedOffset, updateId + 1);
  }

  /** Sets the update types the bot wants (setWebhook's allowed_updates, kept as getUpdates keeps its own). */
  allow(types: unknown): void {
    if (Array.isArray(types)) this.#allowed = types as string[];
  }

  /** Forgets every queued update (deleteWebhook or setWebhook with drop_pending_updates). */
  drop(): void {
    for (const update of this.#updates) this.confirmedOffset = Math.max(this.confirmedOffset, update.update_id + 1);
    this.#updates = [];
  }

  /** Updates not yet confirmed. */
  pending(): readonly FakeUpdate[] {
    return this.#updates;
  }

  /** True while a getUpdates request is being held open. */
  get polling(): boolean {
    return this.#waiter !== undefined;
  }

  /** Ends a held poll with an empty result (used when the fake stops). */
  release(): void {
    this.#waiter?.wake(true);
  }

  /** Answers one getUpdates call; `signal` fires when the client goes away. */
  poll(params: Record<string, unknown>, signal: AbortSignal): Promise<FakeUpdate[]> {
    const offset = Number(params.offset ?? 0);
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const timeout = Number(params.timeout ?? 0);
    this.allow(params.allowed_updates);
    if (offset > 0) {
      this.#updates = this.#updates.filter((u) => u.update_id >= offset);
      this.confirmedOffset = Math.max(this.confirmedOffset, offset);
    }
    this.#waiter?.conflict();
    const ready = this.#available(limit);
    if (ready.length > 0 || timeout <= 0) return Promise.resolve(ready);
    return this.#hold(limit, timeout, signal);
  }

  #hold(limit: number, timeout: number, signal: AbortSignal): Promise<FakeUpdate[]> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        if (this.#waiter === waiter) this.#waiter = undefined;
      };
      const onAbort = () => {
        done();
        resolve([]);
      };
      const waiter: Waiter = {
        wake: (force) => {
          const ready = this.#available(limit);
          if (ready.length === 0 && !force) return;
          done();
          resolve(ready);
        },
        conflict: () => {
          done();
          reject(new ApiFailure(409, CONFLICT));
        },
      };
      const timer = setTimeout(() => waiter.wake(true), timeout * 1000);
      signal.addEventListener("abort", onAbort);
      this.#waiter = waiter;
    });
  }

  #available(limit: number): FakeUpdate[] {
    const allowed = this.#allowed;
    if (allowed !== undefined && allowed.length > 0) {
      // Telegram never creates updates of types the bot did not ask for.
      this.#updates = this.#updates.filter((u) => Object.keys(u).some((k) => allowed.includes(k)));
    }
    return this.#updates.slice(0, limit);
  }
}
