/** Promises that wait for the first item matching a predicate, with a timeout that names what was awaited. */
interface Waiter<T> {
  pred: (item: T) => boolean;
  resolve: (item: T) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** A set of pending waits fed by `offer()`. */
export class Waiters<T> {
  readonly #pending = new Set<Waiter<T>>();

  /** Resolves with the next offered item matching `pred`, or rejects after `timeoutMs`. */
  wait(pred: (item: T) => boolean, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        pred,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#pending.delete(waiter);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs),
      };
      this.#pending.add(waiter);
    });
  }

  /** Hands `item` to every waiter it matches. */
  offer(item: T): void {
    for (const w of this.#pending) {
      if (!w.pred(item)) continue;
      clearTimeout(w.timer);
      this.#pending.delete(w);
      w.resolve(item);
    }
  }

  /** Fails every pending wait (the source went away). */
  rejectAll(err: Error): void {
    for (const w of this.#pending) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.#pending.clear();
  }
}
