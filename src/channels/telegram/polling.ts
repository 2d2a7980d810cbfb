import { createConcurrentSink, createRunner, createSource, type RunnerHandle } from "@grammyjs/runner";
import { type Bot, GrammyError } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../../core/ports.ts";
import { errorFields } from "./errors.ts";

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

  /** Keeps the updates not seen before and marks them in flight. */
  accept(updates: readonly Update[]): Update[] {
    const fresh = updates.filter((u) => u.update_id >= this.#next);
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

type GrammySignal = Parameters<Bot["api"]["getUpdates"]>[1];

/** Polling options; the defaults suit production. */
export interface PollingOptions {
  bot: Bot;
  logger: Logger;
  token: string;
  allowedUpdates: readonly ("message" | "callback_query")[];
  /** Long-poll timeout in seconds (Telegram holds the request this long). */
  timeoutSeconds?: number | undefined;
  /** How long stop() waits for running handlers before confirming what finished. */
  stopGraceMs?: number | undefined;
}

// While a handler is still running, new updates are fetched with short polls (long polling
// would return at once with the unfinished update). The pause grows so a stuck handler costs
// at most one request a second.
const FIRST_PAUSE_MS = 50;
const MAX_PAUSE_MS = 1000;
const MAX_RETRY_MS = 30_000;

/** Long polling with @grammyjs/runner: updates handled concurrently, offsets confirmed after handling. */
export function createPolling(options: PollingOptions): { start(): void; stop(): Promise<void> } {
  const { bot, logger, token } = options;
  const ledger = new UpdateLedger();
  let runner: RunnerHandle | undefined;

  const fetch = async (signal: AbortSignal): Promise<Update[]> => {
    let pause = FIRST_PAUSE_MS;
    let retry = 1000;
    for (;;) {
      if (ledger.busy) {
        await ledger.changed(pause, signal);
        pause = Math.min(pause * 2, MAX_PAUSE_MS);
      }
      signal.throwIfAborted();
      const timeout = ledger.busy ? 0 : (options.timeoutSeconds ?? 30);
      const params = { offset: ledger.offset, limit: 100, timeout, allowed_updates: options.allowedUpdates };
      try {
        // grammY types its signal with the abort-controller polyfill; Node's is compatible at run time.
        const fresh = ledger.accept(await bot.api.getUpdates(params, signal as GrammySignal));
        if (fresh.length > 0) return fresh;
        retry = 1000;
      } catch (error) {
        if (signal.aborted || (error instanceof GrammyError && error.error_code === 401)) throw error;
        logger.error("telegram: getUpdates failed, retrying", { retryInMs: retry, ...errorFields(error, token) });
        await ledger.changed(retry, signal);
        retry = Math.min(retry * 2, MAX_RETRY_MS);
      }
    }
  };

  const consume = async (update: Update) => {
    try {
      await bot.handleUpdate(update);
    } finally {
      ledger.settle(update.update_id);
    }
  };
  const onError = async (error: unknown) => {
    logger.error("telegram: update handler failed", errorFields(error, token));
  };

  return {
    start() {
      const source = createSource({ supply: (_size, signal) => fetch(nativeSignal(signal)) });
      runner = createRunner(source, createConcurrentSink({ consume }, onError));
      runner.start();
      runner.task()?.catch((error: unknown) => logger.error("telegram: polling stopped", errorFields(error, token)));
    },
    async stop() {
      await runner?.stop();
      runner = undefined;
      await ledger.idle(options.stopGraceMs ?? 10_000);
      if (ledger.offset === 0) return;
      // Confirms what was handled, as grammY's own bot.stop() does.
      await bot.api
        .getUpdates({ offset: ledger.offset, limit: 1, timeout: 0 })
        .catch((error: unknown) => logger.warn("telegram: final offset not confirmed", errorFields(error, token)));
    },
  };
}

/** The runner hands out an `abort-controller` polyfill signal; our code and grammY want Node's. */
function nativeSignal(shim: { aborted: boolean; addEventListener(type: "abort", listener: () => void): void }) {
  const controller = new AbortController();
  if (shim.aborted) controller.abort();
  else shim.addEventListener("abort", () => controller.abort());
  return controller.signal;
}
