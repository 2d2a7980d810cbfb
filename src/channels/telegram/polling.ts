import { createConcurrentSink, createRunner, createSource, type RunnerHandle } from "@grammyjs/runner";
import { type Bot, GrammyError } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../../core/ports.ts";
import { errorFields } from "./errors.ts";
import { UpdateLedger } from "./ledger.ts";

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
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/**
 * Long polling with @grammyjs/runner: updates are handled concurrently (a command is never stuck
 * behind a message), and an offset is confirmed only after its handler finished (see UpdateLedger).
 */
export class Polling {
  readonly #options: PollingOptions;
  readonly #ledger = new UpdateLedger();
  #runner: RunnerHandle | undefined;

  constructor(options: PollingOptions) {
    this.#options = options;
  }

  /** Starts fetching and handling updates. */
  start(): void {
    const { logger, token } = this.#options;
    const source = createSource({ supply: (_size, signal) => this.#fetch(nativeSignal(signal)) });
    const onError = async (error: unknown) =>
      logger.error("telegram: update handler failed", errorFields(error, token));
    this.#runner = createRunner(source, createConcurrentSink({ consume: (u: Update) => this.#consume(u) }, onError));
    this.#runner.start();
    this.#runner
      .task()
      ?.catch((error: unknown) => logger.error("telegram: polling stopped", errorFields(error, token)));
  }

  /** Stops fetching, waits (a while) for running handlers and confirms what they finished. */
  async stop(): Promise<void> {
    const { bot, logger, token } = this.#options;
    await this.#runner?.stop();
    this.#runner = undefined;
    await this.#ledger.idle(this.#options.stopGraceMs ?? 10_000);
    if (this.#ledger.offset === 0) return;
    // Confirms what was handled, as grammY's own bot.stop() does.
    await bot.api
      .getUpdates({ offset: this.#ledger.offset, limit: 1, timeout: 0 })
      .catch((error: unknown) => logger.warn("telegram: final offset not confirmed", errorFields(error, token)));
  }

  async #consume(update: Update): Promise<void> {
    try {
      await this.#options.bot.handleUpdate(update);
    } finally {
      this.#ledger.settle(update.update_id);
    }
  }

  /** The next batch of updates not seen before; retries failed polls with backoff. */
  async #fetch(signal: AbortSignal): Promise<Update[]> {
    const { bot, logger, token } = this.#options;
    let pause = FIRST_PAUSE_MS;
    let retry = FIRST_RETRY_MS;
    for (;;) {
      if (this.#ledger.busy) {
        await this.#ledger.changed(pause, signal);
        pause = Math.min(pause * 2, MAX_PAUSE_MS);
      }
      signal.throwIfAborted();
      try {
        // grammY types its signal with the abort-controller polyfill; Node's is compatible at run time.
        const params = this.#params();
        const fresh = this.#ledger.accept(await bot.api.getUpdates(params, signal as GrammySignal), params.offset);
        if (fresh.length > 0) return fresh;
        retry = FIRST_RETRY_MS;
      } catch (error) {
        if (signal.aborted || (error instanceof GrammyError && error.error_code === 401)) throw error;
        logger.error("telegram: getUpdates failed, retrying", { retryInMs: retry, ...errorFields(error, token) });
        await sleep(retry, signal);
        retry = Math.min(retry * 2, MAX_RETRY_MS);
      }
    }
  }

  #params() {
    const timeout = this.#ledger.busy ? 0 : (this.#options.timeoutSeconds ?? 30);
    return { offset: this.#ledger.offset, limit: 100, timeout, allowed_updates: this.#options.allowedUpdates };
  }
}

/** The runner hands out an `abort-controller` polyfill signal; our code and grammY want Node's. */
function nativeSignal(shim: { aborted: boolean; addEventListener(type: "abort", listener: () => void): void }) {
  const controller = new AbortController();
  if (shim.aborted) controller.abort();
  else shim.addEventListener("abort", () => controller.abort());
  return controller.signal;
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
