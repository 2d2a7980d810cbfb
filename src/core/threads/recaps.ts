import { ErrorCode, isBotError } from "../errors.ts";
import type { Thread } from "../model.ts";
import type { Clock, GatewayPort, Logger } from "../ports.ts";
import type { ActivitySummary } from "../recap-export-port.ts";
import { truncate } from "../text/truncate.ts";

/** OpenClaw takes at most this many sessions per ensure call. */
const BATCH = 20;
/** One request asks for at most this many (the most recently active first): a search over every thread stays cheap. */
const MAX_PER_REQUEST = 100;
/** A listing never waits for recaps; a background ensure gives up after this long. */
const ENSURE_TIMEOUT_MS = 10_000;
/** A current recap is asked for again at most this often (OpenClaw itself refreshes at most every 90 s). */
const ASK_CURRENT_EVERY_MS = 30_000;
/** One being written is asked for again sooner, so the next listing shows it. */
const ASK_UPDATING_EVERY_MS = 2_000;

interface Known {
  text: string | undefined;
  state: ActivitySummary["state"];
  askedAt: number;
}

/**
 * OpenClaw's activity summaries ("recaps") of the threads' sessions, asked for on demand and never
 * awaited by a listing: a listing shows what is known now (from memory) and asks in the background
 * (sessions.activitySummary.ensure, which answers at once and queues generation by the agent's
 * utility model); a later listing shows what came back. Kept in memory only: the recap is OpenClaw's
 * cache, and the first listing after a restart fills ours again.
 */
export class Recaps {
  readonly #gateway: GatewayPort;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #known = new Map<string, Known>();
  readonly #inFlight = new Set<string>();
  #pending: Promise<void> = Promise.resolve();

  constructor(options: { gateway: GatewayPort; clock: Clock; logger: Logger }) {
    this.#gateway = options.gateway;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  /** The recap of a thread's session as known now, on one line of at most `maxUnits`. */
  line(thread: Thread, maxUnits = 200): string | undefined {
    const text = this.#known.get(thread.sessionKey)?.text?.replace(/\s+/g, " ").trim();
    return text ? truncate(text, maxUnits, "…") : undefined;
  }

  /** The full recap text known now (for search). */
  text(thread: Thread): string | undefined {
    return this.#known.get(thread.sessionKey)?.text;
  }

  /** Asks OpenClaw for the recaps of `threads` in the background; returns at once. */
  request(threads: readonly Thread[]): void {
    if (!this.#gateway.connected) return;
    const now = this.#clock.now();
    const keys = threads.map((t) => t.sessionKey).filter((key) => !this.#inFlight.has(key) && this.#due(key, now));
    const unique = [...new Set(keys)].slice(0, MAX_PER_REQUEST);
    for (let i = 0; i < unique.length; i += BATCH) {
      const batch = unique.slice(i, i + BATCH);
      for (const key of batch) this.#inFlight.add(key);
      const ask = this.#ask(batch, now).finally(() => {
        for (const key of batch) this.#inFlight.delete(key);
      });
      this.#pending = Promise.all([this.#pending, ask]).then(() => undefined);
    }
  }

  /** Resolves when every background ask started so far has ended (tests). */
  settled(): Promise<void> {
    return this.#pending;
  }

  #due(key: string, now: number): boolean {
    const known = this.#known.get(key);
    if (!known) return true;
    const every = known.state === "current" ? ASK_CURRENT_EVERY_MS : ASK_UPDATING_EVERY_MS;
    return now - known.askedAt >= every;
  }

  async #ask(keys: string[], now: number): Promise<void> {
    try {
      this.#remember(keys, await this.#ensure(keys), now);
    } catch (error) {
      // OpenClaw refuses a whole batch when one session in it is gone: ask the others one by one.
      if (keys.length > 1 && isBotError(error, ErrorCode.GatewayError)) {
        for (const key of keys) await this.#ask([key], now);
        return;
      }
      // A listing never fails for want of a recap; the next listing asks again.
      this.#remember(keys, new Map(), now);
      this.#logger.debug("recap request failed", { sessions: keys.length, error: String(error) });
    }
  }

  #ensure(keys: string[]): Promise<Map<string, ActivitySummary>> {
    return this.#gateway.ensureActivitySummaries(keys, { timeoutMs: ENSURE_TIMEOUT_MS });
  }

  #remember(keys: string[], found: Map<string, ActivitySummary>, now: number): void {
    for (const key of keys) {
      const summary = found.get(key);
      // OpenClaw keeps the previous recap while it writes a new one; so do we when it sends none.
      const text = summary?.text ?? this.#known.get(key)?.text;
      this.#known.set(key, { text, state: summary?.state ?? "unavailable", askedAt: now });
    }
  }
}
