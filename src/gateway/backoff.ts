/** Options of the reconnect backoff. */
export interface BackoffOptions {
  /** First ceiling, in ms. */
  baseMs: number;
  /** Largest ceiling, in ms. */
  maxMs: number;
  /** Uniform [0, 1) source, injected so tests are deterministic. */
  random: () => number;
  /**
   * Fast probing while a restarting gateway is expected: an attempt that found nothing listening is
   * retried within `everyMs`, for `windowMs` after the start or after a stable connection closed.
   */
  probe?: { everyMs: number; windowMs: number; now: () => number } | undefined;
}

/**
 * Exponential backoff with full jitter: the n-th delay is uniform in
 * [0, min(maxMs, baseMs·2ⁿ)). Full jitter keeps many bots from reconnecting
 * in lock-step after one gateway restart.
 */
export class Backoff {
  readonly #options: BackoffOptions;
  #attempt = 0;
  #probeUntil: number;

  constructor(options: BackoffOptions) {
    this.#options = options;
    this.#probeUntil = options.probe ? options.probe.now() + options.probe.windowMs : 0;
  }

  /**
   * The next delay; each call widens the window until maxMs. `refused` (nothing listened) within the
   * probe window gives a short one instead: a refused connect costs nothing, and after a crash the bot
   * must be back within about a second of the gateway's boot (ARCHITECTURE.md §6, confirm).
   */
  next(refused = false): number {
    const { baseMs, maxMs, random, probe } = this.#options;
    if (refused && probe && probe.now() < this.#probeUntil) return Math.floor(probe.everyMs * (0.5 + random() / 2));
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    return Math.floor(random() * ceiling);
  }

  /** Starts over from baseMs (after a stable connection), and probes fast again for a while. */
  reset(): void {
    this.#attempt = 0;
    if (this.#options.probe) this.#probeUntil = this.#options.probe.now() + this.#options.probe.windowMs;
  }

  /** How many delays were handed out since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }
}
