import type { Update } from "grammy/types";
import {
  createTelegramChannel,
  StoreUpdateQueue,
  type TelegramChannel,
  type TelegramWebhookOptions,
  type UpdateQueue,
} from "../../../../src/channels/telegram/index.ts";
import type { AppPort } from "../../../../src/core/app-port.ts";
import type { StoreState } from "../../../../src/core/model.ts";
import type { MergePatch, StorePort, StoreWant, ThreadQuery } from "../../../../src/core/ports.ts";
import { MemoryStore } from "../../../../src/store/index.ts";
import type { FakeTelegram } from "../../../fakes/fake-telegram.ts";
import { type RecordingLogger, recordingLogger } from "../../../fakes/recording-logger.ts";
import { afterThisTest } from "../../support/teardown.ts";

/** The secret the tests' webhooks use. */
export const SECRET = "test_Secret-0123456789";
/** The path the tests' webhooks serve. */
export const HOOK_PATH = "/tg/hook";

/** Webhook settings on 127.0.0.1, a free port, the queue re-read every 100 ms. */
export function webhookOptions(
  queue: UpdateQueue,
  extra: Partial<TelegramWebhookOptions> = {},
): TelegramWebhookOptions {
  return {
    url: (bound) => `http://127.0.0.1:${bound.port}${HOOK_PATH}`,
    secret: SECRET,
    listen: { host: "127.0.0.1", port: 0 },
    queue,
    recheckMs: 100,
    ...extra,
  };
}

/** A Telegram channel in webhook mode on `tg`, stopped after the test. */
export async function startWebhookChannel(
  tg: FakeTelegram,
  app: AppPort,
  webhook: TelegramWebhookOptions,
  options: { logger?: RecordingLogger; stopGraceMs?: number } = {},
): Promise<{ telegram: TelegramChannel; logger: RecordingLogger; url: string }> {
  const logger = options.logger ?? recordingLogger();
  const telegram = createTelegramChannel({
    token: tg.token,
    apiRoot: tg.apiRoot,
    app,
    logger,
    limits: { throttle: false },
    stopGraceMs: options.stopGraceMs,
    webhook,
  });
  afterThisTest(() => telegram.stop());
  await telegram.start();
  const port = telegram.webhook?.address?.port;
  return { telegram, logger, url: `http://127.0.0.1:${port}` };
}

/** POSTs `body` to a webhook as Telegram would (with `secret` as the header; null: no header). */
export async function post(url: string, body: unknown, secret: string | null = SECRET): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (secret !== null) headers["x-telegram-bot-api-secret-token"] = secret;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return fetch(`${url}${HOOK_PATH}`, { method: "POST", headers, body: text });
}

/**
 * A MemoryStore whose writes reach "the disk" only when the test says: update() applies at once
 * (as the JSON store does) and resolves when `release()` is called, or rejects while `failing`.
 */
export class GatedStore implements StorePort {
  readonly inner = new MemoryStore();
  held = false;
  failing = 0;
  #waiting: (() => void)[] = [];

  get state(): Readonly<StoreState> {
    return this.inner.state;
  }

  async update(patch: MergePatch<StoreState>): Promise<void> {
    await this.inner.update(patch);
    if (this.failing > 0) {
      this.failing--;
      throw new Error("disk full");
    }
    if (this.held) await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Lets every held write finish. */
  release(): void {
    this.held = false;
    for (const resolve of this.#waiting.splice(0)) resolve();
  }

  /** Writes held now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  load(want: StoreWant): Promise<void> {
    return this.inner.load(want);
  }

  findThreads(query: ThreadQuery): Promise<string[]> {
    return this.inner.findThreads(query);
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

/** An UpdateQueue whose next `failPuts` puts reject before recording anything (the store is away). */
export class FlakyQueue implements UpdateQueue {
  failPuts = 0;
  readonly inner: StoreUpdateQueue;

  constructor(store: StorePort = new MemoryStore()) {
    this.inner = new StoreUpdateQueue({ store });
  }

  async put(update: Update): Promise<boolean> {
    if (this.failPuts > 0) {
      this.failPuts--;
      throw new Error("store unavailable");
    }
    return this.inner.put(update);
  }

  pending(limit: number): Promise<Update[]> {
    return this.inner.pending(limit);
  }

  done(updateId: number): Promise<void> {
    return this.inner.done(updateId);
  }

  onPut(listener: () => void): () => void {
    return this.inner.onPut(listener);
  }
}
