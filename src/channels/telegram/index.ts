/**
 * @module The Telegram channel: grammY on long polling (or webhooks) in front of the core's AppPort.
 */
import { Bot } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { AppPort } from "../../core/app-port.ts";
import type { ChannelPort, Logger } from "../../core/ports.ts";
import { AlbumCollector } from "./albums.ts";
import { callbacks } from "./callbacks.ts";
import { commandMenu } from "./command-menu.ts";
import { commands } from "./commands.ts";
import type { HandlerDeps } from "./deps.ts";
import { TelegramDownloads } from "./downloads.ts";
import { errorFields } from "./errors.ts";
import { installLimits, type TelegramLimits } from "./limits.ts";
import { messages } from "./messages.ts";
import { ConversationOrder } from "./order.ts";
import { TelegramOutgoing } from "./outgoing.ts";
import { Polling } from "./polling.ts";
import { createTelegramPort } from "./port.ts";
import { routeOf } from "./route.ts";
import { serviceMessages } from "./service-messages.ts";
import { TelegramWebhook, type TelegramWebhookOptions } from "./webhook.ts";

export type { TelegramLimits } from "./limits.ts";
export { StoreUpdateQueue } from "./store-update-queue.ts";
export type { UpdateConsumer } from "./update-consumer.ts";
export type { UpdateQueue } from "./update-queue.ts";
export type { TelegramWebhook, TelegramWebhookOptions } from "./webhook.ts";
export { startWebhookFront, type WebhookFront } from "./webhook-front.ts";
export type { ListenAddress } from "./webhook-server.ts";

/** What the Telegram channel needs. */
export interface TelegramChannelOptions {
  /** The bot token (never logged). */
  token: string;
  /** Bot API root, e.g. a local Bot API server or a test fake; Telegram's by default. */
  apiRoot?: string | undefined;
  app: AppPort;
  logger: Logger;
  /** The bot's getMe answer, to skip that call (tests). */
  botInfo?: UserFromGetMe | undefined;
  /** Flood-limit and retry settings (tests loosen them). */
  limits?: TelegramLimits | undefined;
  /** Long-poll timeout in seconds (default 30). */
  pollTimeoutSeconds?: number | undefined;
  /** How long stop() waits for running handlers before it confirms what finished (default 10 s). */
  stopGraceMs?: number | undefined;
  /** How long an album waits for more parts after its last one (default 600 ms). */
  albumQuietMs?: number | undefined;
  /** Webhook mode instead of long polling (TELEGRAM_WEBHOOK_URL set); polling and webhooks are never both on. */
  webhook?: TelegramWebhookOptions | undefined;
}

/** A running Telegram channel: the port the core talks through, and its lifecycle. */
export interface TelegramChannel {
  channel: ChannelPort;
  /** Identifies the bot, publishes the command menu and starts polling (or the webhook). */
  start(): Promise<void>;
  /** Stops polling (or the webhook), lets running handlers finish and confirms the handled updates. */
  stop(): Promise<void>;
  /** Webhook mode's server and consumer (undefined on long polling): `webhook.consumer` starts and stops from outside. */
  webhook: TelegramWebhook | undefined;
}

/**
 * Builds the Telegram channel.
 * @example
 * const telegram = createTelegramChannel({ token, app, logger });
 * channels.add(telegram.channel);
 * await telegram.start();
 */
export function createTelegramChannel(options: TelegramChannelOptions): TelegramChannel {
  const { token, app, logger } = options;
  const client = options.apiRoot ? { apiRoot: options.apiRoot } : {};
  const bot = new Bot(token, { client, ...(options.botInfo ? { botInfo: options.botInfo } : {}) });
  installLimits(bot.api, options.limits);
  const outgoing = new TelegramOutgoing({
    api: bot.api,
    logger,
    token,
    onUpgrade: (move) => app.conversationMoved(move),
  });
  useHandlers(bot, {
    api: bot.api,
    logger,
    token,
    app,
    outgoing,
    order: new ConversationOrder(),
    albums: new AlbumCollector(options.albumQuietMs),
    downloads: new TelegramDownloads({ api: bot.api, token, apiRoot: options.apiRoot }),
  });
  const allowedUpdates = ["message", "callback_query"] as const;
  const intake = options.webhook
    ? new TelegramWebhook({
        bot,
        logger,
        token,
        webhook: options.webhook,
        allowedUpdates,
        stopGraceMs: options.stopGraceMs,
      })
    : new Polling({
        bot,
        logger,
        token,
        allowedUpdates,
        timeoutSeconds: options.pollTimeoutSeconds,
        stopGraceMs: options.stopGraceMs,
      });
  return {
    channel: createTelegramPort(outgoing, bot.api),
    start: () => start(bot, intake, options),
    stop: () => intake.stop(),
    webhook: intake instanceof TelegramWebhook ? intake : undefined,
  };
}

/**
 * The update handlers, one composer per kind of update; anything else (channel posts, edits, member
 * changes) is not for us and is answered with nothing. One router picks the composer, so every kind
 * reaches its handler after the same number of steps: updates of one batch run concurrently, and
 * the handlers take their place in the conversation order synchronously, in arrival order.
 */
function useHandlers(bot: Bot, deps: HandlerDeps): void {
  bot.route(routeOf, {
    button: callbacks(deps),
    service: serviceMessages(deps),
    command: commands(deps),
    message: messages(deps),
  });
}

/** Identifies the bot, publishes the command menu and starts polling or the webhook. */
async function start(bot: Bot, intake: Polling | TelegramWebhook, options: TelegramChannelOptions): Promise<void> {
  const { app, logger, token } = options;
  await bot.init();
  // Long polling fails while a webhook is set; updates waiting in Telegram are kept.
  if (intake instanceof Polling) await bot.api.deleteWebhook({ drop_pending_updates: false });
  await bot.api
    .setMyCommands(commandMenu(app.commands, logger))
    .catch((error: unknown) => logger.warn("telegram: command menu not set", errorFields(error, token)));
  if (intake instanceof Polling) {
    intake.start();
    logger.info("telegram: polling", { bot: bot.botInfo.username });
    return;
  }
  const url = await intake.start();
  // The URL's path is no secret (the secret token is), but a path may be chosen hard to guess: only the host.
  logger.info("telegram: webhook", { bot: bot.botInfo.username, host: new URL(url).host, listen: intake.address });
}
