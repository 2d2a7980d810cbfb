/**
 * Composition root: config → store → gateway → core → channels. Nothing else lives here.
 * @module
 */
import { userInfo } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import type { Pool } from "pg";
import { type ConsoleChannel, createConsoleChannel } from "./channels/console/console-channel.ts";
import { consoleSocketPath, joinConsole, shareConsole } from "./channels/console/share.ts";
import { createDiscordChannel } from "./channels/discord/index.ts";
import {
  createTelegramChannel,
  StoreUpdateQueue,
  startWebhookFront,
  type TelegramWebhookOptions,
  type WebhookFront,
} from "./channels/telegram/index.ts";
import { type Bot, composeBot } from "./compose.ts";
import { type Config, loadConfig } from "./config/env.ts";
import { BotError, ErrorCode, isBotError } from "./core/errors.ts";
import { createLogger } from "./core/log.ts";
import type { Logger, StorePort } from "./core/ports.ts";
import { createOpenClawGateway } from "./gateway/index.ts";
import { releaseLoadGarbage } from "./memory.ts";
import { FileBlobStore } from "./store/blobs.ts";
import { openStore } from "./store/open-store.ts";
import type { Lease } from "./store/postgres/index.ts";

/** EX_TEMPFAIL: another process took over; run again (as a standby). */
const EXIT_LEASE_LOST = 75;

interface Running {
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { conversation: { type: "string", default: "main" } },
    allowPositionals: false,
  });
  const conversation = values.conversation ?? "main";
  const config = loadConfig();
  const consoleMode = !config.TELEGRAM_BOT_TOKEN && !config.DISCORD_BOT_TOKEN;
  // A second terminal on the same store joins the running bot as its own conversation.
  const socketPath = consoleSocketPath(config.STORE_PATH);
  if (
    consoleMode &&
    (await joinConsole({ path: socketPath, conversation, input: process.stdin, output: process.stdout }))
  )
    return;
  // In the console the terminal is the conversation: only warnings and errors go to stderr there.
  const level = consoleMode && !process.env.LOG_LEVEL ? "warn" : config.LOG_LEVEL;
  const logger = createLogger({
    level,
    secrets: [
      config.OPENCLAW_GATEWAY_TOKEN,
      config.TELEGRAM_BOT_TOKEN,
      config.TELEGRAM_WEBHOOK_SECRET,
      config.DISCORD_BOT_TOKEN,
    ],
    write: (line) => process.stderr.write(`${line}\n`),
  });
  // Until the store is open (a standby may wait long for the lease), a signal just ends the process.
  let shutdown: ((code: number) => Promise<void>) | undefined;
  let waiting: Lease | undefined;
  let front: WebhookFront | undefined;
  let active = false;
  const onSignal = () => {
    if (shutdown) return void shutdown(0);
    waiting?.stop();
    void (front?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const opened = await openStore({
    config,
    logger,
    onLease: (lease) => {
      waiting = lease;
    },
    beforeLease: async (database) => {
      front = await webhookFront(config, database, logger, () => active);
    },
    // Another process is active now: anything this one still did would be done twice. No cleanup
    // that could write or post; a supervisor restarts it as a standby.
    onLeaseLost: (error) => {
      logger.error(error.message);
      process.exit(EXIT_LEASE_LOST);
    },
  });
  const store = opened.store;
  releaseLoadGarbage();
  const gateway = createOpenClawGateway({
    url: config.OPENCLAW_GATEWAY_URL,
    token: config.OPENCLAW_GATEWAY_TOKEN ?? "",
    logger,
  });
  const bot = composeBot({
    store,
    gateway,
    logger,
    agentId: config.OPENCLAW_AGENT_ID,
    policy: config.RESUME_POLICY,
    approvers: config.APPROVERS,
    allowedUsers: config.ALLOWED_USERS,
    adminUsers: config.ADMIN_USERS,
    blobs: new FileBlobStore(join(dirname(config.STORE_PATH), "attachments")),
  });
  active = true;
  const { running, startTaking } = await startPlatforms(config, bot, logger, telegramWebhook(config, store, front));
  // Registered before the gateway connects: reconciliation may write to the terminal.
  const terminals = consoleMode
    ? createConsoleChannel({ app: bot.app, user: operatorName(), filesDir: join(dirname(config.STORE_PATH), "files") })
    : undefined;
  if (terminals) {
    bot.channels.add(terminals.channel);
    running.push(terminals);
  }
  // SIGTERM hands over: no new updates taken, finished ones confirmed, the store flushed, the lease
  // released so a standby takes over at once; turns still running are the journal's, reconciled there.
  shutdown = async (code: number) => {
    for (const channel of running) await channel.stop().catch(() => undefined);
    await bot.stop().catch(() => undefined);
    await opened.close().catch(() => undefined);
    await front?.stop().catch(() => undefined);
    process.exit(code);
  };
  await connect(bot, config);
  // Telegram keeps what it sent until it is confirmed: taking it only now, with the gateway answering,
  // spares a restart's or a takeover's first messages a "gateway not reachable" answer.
  await startTaking();
  if (terminals) await runConsole(terminals, conversation, socketPath, logger).then(() => shutdown(0));
}

/** First connection; a gateway that does not answer is reported in plain words, not a stack trace. */
async function connect(bot: Bot, config: Config): Promise<void> {
  await bot.start().catch((error: unknown) => {
    if (!isBotError(error, ErrorCode.GatewayAway, ErrorCode.Timeout)) throw error;
    console.error(
      `The OpenClaw gateway at ${config.OPENCLAW_GATEWAY_URL} does not answer (${error.message}).\n` +
        "The bot keeps running and reconnects by itself; commands that need the gateway say so meanwhile.",
    );
  });
}

/** Runs this terminal (and lets others join) until its input ends. */
async function runConsole(
  terminals: ConsoleChannel,
  conversation: string,
  socketPath: string,
  logger: Logger,
): Promise<void> {
  const local = terminals.attach(conversation, process.stdin, process.stdout);
  local.start();
  const server = await shareConsole({ path: socketPath, console: terminals, logger });
  await local.closed;
  server?.close();
}

/**
 * Webhook mode's settings when TELEGRAM_WEBHOOK_URL is set, else long polling. One process: the queue
 * is in the JSON store and the channel runs the server. On Postgres: the front (queue and server) has
 * run since before the lease; the channel only handles the queue.
 */
function telegramWebhook(
  config: Config,
  store: StorePort,
  front: WebhookFront | undefined,
): TelegramWebhookOptions | undefined {
  const url = config.TELEGRAM_WEBHOOK_URL;
  const secret = config.TELEGRAM_WEBHOOK_SECRET;
  if (url === undefined || secret === undefined) return undefined;
  const listen = config.TELEGRAM_WEBHOOK_LISTEN;
  if (front) return { url, secret, listen, queue: front.queue, server: front.server };
  return { url, secret, listen, queue: new StoreUpdateQueue({ store }) };
}

/** On Postgres with webhooks: every process takes updates into the shared queue from the start. */
async function webhookFront(
  config: Config,
  database: { pool: Pool; url: string },
  logger: Logger,
  handling: () => boolean,
): Promise<WebhookFront | undefined> {
  const url = config.TELEGRAM_WEBHOOK_URL;
  const secret = config.TELEGRAM_WEBHOOK_SECRET;
  if (url === undefined || secret === undefined || !config.TELEGRAM_BOT_TOKEN) return undefined;
  const { pool, url: storeUrl } = database;
  return startWebhookFront({ url, secret, listen: config.TELEGRAM_WEBHOOK_LISTEN, pool, storeUrl, logger, handling });
}

async function startPlatforms(
  config: Config,
  bot: Bot,
  logger: Logger,
  webhook: TelegramWebhookOptions | undefined,
): Promise<{ running: Running[]; startTaking: () => Promise<void> }> {
  const running: Running[] = [];
  let startTaking = async () => {};
  if (config.TELEGRAM_BOT_TOKEN) {
    const telegram = createTelegramChannel({
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      app: bot.app,
      logger,
      webhook,
    });
    bot.channels.add(telegram.channel);
    startTaking = () => telegram.start();
    running.push(telegram);
  }
  if (config.DISCORD_BOT_TOKEN) {
    const discord = createDiscordChannel({
      token: config.DISCORD_BOT_TOKEN,
      apiRoot: config.DISCORD_API_ROOT,
      guildIds: config.DISCORD_GUILD_IDS,
      app: bot.app,
      logger,
    });
    bot.channels.add(discord.channel);
    await discord.start();
    running.push(discord);
  }
  return { running, startTaking };
}

/** The OS user at the terminal, as a console sender id. */
function operatorName(): string {
  return userInfo().username.replace(/[^A-Za-z0-9._-]/g, "") || "operator";
}

main().catch((error: unknown) => {
  // Known failures get their one clear message; anything else its message only, no stack.
  const message = error instanceof BotError ? error.message : error instanceof Error ? error.message : String(error);
  console.error(`threadkeeper cannot start: ${message}`);
  process.exit(isBotError(error, ErrorCode.Config) ? 78 : 1);
});
