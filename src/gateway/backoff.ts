/** Options of the reconnect backoff. */
export interface BackoffOptions {
  /** First ceiling, in ms. */
  baseMs: number;
  /** Largest ceiling, in ms. */
  maxMs: number;
  /** Uniform [0, 1) source, injected so tests are deterministic. */
  random: () => number;
}

/**
 * Exponential backoff with full jitter: the n-th delay is uniform in
 * [0, min(maxMs, baseMs·2ⁿ)). Full jitter keeps many bots from reconnecting
 * in lock-step after one gateway restart.
 */
export class Backoff {
  readonly #options: BackoffOptions;
  #attempt = 0;

  constructor(options: BackoffOptions) {
    this.#options = options;
  }

  /** The next delay; each call widens the window until maxMs. */
  next(): number {
    const { baseMs, maxMs, random } = this.#options;
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    return Math.floor(random() * ceiling);
  }

  /** Starts over from baseMs (after a stable connection). */
  reset(): void {
    this.#attempt = 0;
  }

  /** How many delays were handed out since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }
}
