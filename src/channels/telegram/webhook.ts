import type { Bot } from "grammy";
import type { Logger } from "../../core/ports.ts";
import { UpdateConsumer } from "./update-consumer.ts";
import type { UpdateQueue } from "./update-queue.ts";
import { type ListenAddress, WebhookServer } from "./webhook-server.ts";

/** Webhook mode's settings (TELEGRAM_WEBHOOK_*) and the queue between the server and the handlers. */
export interface TelegramWebhookOptions {
  /**
   * The public URL Telegram posts to (its path is the one served). A function gets the address the
   * server bound, for tests that listen on port 0.
   */
  url: string | ((bound: ListenAddress) => string);
  /** Sent by Telegram with every update and checked on every request (never logged). */
  secret: string;
  listen: ListenAddress;
  queue: UpdateQueue;
  /**
   * Whether start() also starts handling the queued updates (default true). With several processes
   * on one queue, whoever decides which process handles them starts and stops `consumer` itself.
   */
  consume?: boolean | undefined;
  /**
   * A server already taking updates into `queue`, started before this process became active (several
   * processes on Postgres: standbys take updates too). The channel then neither starts nor stops it.
   */
  server?: WebhookServer | undefined;
  /** How often the queue is read without a put to wake it (default 1 s). */
  recheckMs?: number | undefined;
}

/**
 * Webhook mode: Telegram posts each update to the server, which records it in the queue before it
 * answers; the consumer hands recorded updates to the bot. Long polling is off while it runs
 * (Telegram refuses getUpdates while a webhook is set).
 */
export class TelegramWebhook {
  readonly consumer: UpdateConsumer;
  readonly #server: WebhookServer;
  readonly #bot: Bot;
  readonly #options: TelegramWebhookOptions;
  readonly #allowedUpdates: readonly ("message" | "callback_query")[];
  #bound: ListenAddress | undefined;

  constructor(params: {
    bot: Bot;
    logger: Logger;
    token: string;
    webhook: TelegramWebhookOptions;
    allowedUpdates: readonly ("message" | "callback_query")[];
    stopGraceMs?: number | undefined;
  }) {
    const { bot, logger, token, webhook } = params;
    this.#bot = bot;
    this.#options = webhook;
    this.#allowedUpdates = params.allowedUpdates;
    this.consumer = new UpdateConsumer({
      queue: webhook.queue,
      handle: (update) => bot.handleUpdate(update),
      logger,
      token,
      recheckMs: webhook.recheckMs,
      stopGraceMs: params.stopGraceMs,
    });
    this.#server =
      webhook.server ??
      new WebhookServer({
        path: new URL(typeof webhook.url === "string" ? webhook.url : "http://x/").pathname,
        secret: webhook.secret,
        listen: webhook.listen,
        queue: webhook.queue,
        logger,
        health: () => ({ mode: "webhook", handling: this.consumer.started }),
      });
  }

  /** The address the server bound (after start). */
  get address(): ListenAddress | undefined {
    return this.#bound;
  }

  /** Binds the server, points Telegram at it, and starts the consumer unless told not to. */
  async start(): Promise<string> {
    const { url, secret, consume } = this.#options;
    this.#bound = this.#options.server?.address ?? (await this.#server.start());
    const href = typeof url === "string" ? url : url(this.#bound);
    this.#server.path = new URL(href).pathname;
    // Every process may call it: it is idempotent. One connection at a time keeps Telegram's deliveries
    // in update_id order, which the per-conversation order relies on (as a getUpdates batch does).
    await this.#bot.api.setWebhook(href, {
      secret_token: secret,
      allowed_updates: [...this.#allowedUpdates],
      max_connections: 1,
      drop_pending_updates: false,
    });
    if (consume ?? true) this.consumer.start();
    return href;
  }

  /** Stops taking updates, then lets running handlers finish (a while); unfinished ones stay queued. */
  async stop(): Promise<void> {
    if (this.#options.server === undefined) await this.#server.stop();
    await this.consumer.stop();
  }
}
