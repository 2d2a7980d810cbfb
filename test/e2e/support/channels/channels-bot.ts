/**
 * The whole bot in the test process against a real gateway, with the real platform channels: the real core
 * (composeBot), our protocol client, the lowdb store on a temp file, and the real grammY / discord.js channels
 * talking over HTTP (and WebSocket) to our fake Telegram / fake Discord on 127.0.0.1.
 */
import type { DiscordChannel } from "../../../../src/channels/discord/index.ts";
import type { TelegramChannel } from "../../../../src/channels/telegram/index.ts";
import { type Bot, composeBot } from "../../../../src/compose.ts";
import type { ResumePolicy } from "../../../../src/core/model.ts";
import { createOpenClawGateway, type OpenClawGateway } from "../../../../src/gateway/index.ts";
import { type JsonStore, openJsonStore } from "../../../../src/store/index.ts";
import { discordRig } from "../../../channels/discord/support/harness.ts";
import * as says from "../../../channels/support/says.ts";
// The Telegram person and chats of these tests are the unit tests' own, and so are the channels' set-ups.
import { alice, aliceDm, forum, telegramRig } from "../../../channels/telegram/support/harness.ts";
import { type StoredMessage as DiscordMessage, FakeDiscord, ids } from "../../../fakes/fake-discord.ts";
import { FakeTelegram, type StoredMessage as TelegramMessage } from "../../../fakes/fake-telegram.ts";
import { type RecordingLogger, recordingLogger } from "../../../fakes/recording-logger.ts";
import type { Gateway } from "../../harness/gateway.ts";

export { alice, aliceDm, bob, forum } from "../../../channels/telegram/support/harness.ts";
export { ids } from "../../../fakes/fake-discord.ts";
export { type LogEntry, recordingLogger } from "../../../fakes/recording-logger.ts";

/** A running bot with its channels and their fakes. */
export interface ChannelsBot {
  bot: Bot;
  store: JsonStore;
  client: OpenClawGateway;
  logger: RecordingLogger;
  tg: FakeTelegram;
  telegram: TelegramChannel;
  dc: FakeDiscord;
  discord: DiscordChannel;
  /** Stops the channels, the bot, the store and the fakes (idempotent). */
  stop(): Promise<void>;
  /** Stops the channels, the bot and the store but leaves the fakes running, for a restart on them (idempotent). */
  stopBot(): Promise<void>;
}

/** How startChannelsBot builds the bot. */
export interface ChannelsBotOptions {
  gateway: Gateway;
  storePath: string;
  policy: ResumePolicy;
  /** ALLOWED_USERS; default alice on Telegram and on Discord. */
  allowedUsers?: readonly string[] | undefined;
  /** ADMIN_USERS; default none. */
  adminUsers?: readonly string[] | undefined;
  /**
   * Fakes to run on, as they are (a bot restart: the platforms keep their chats, messages and pending
   * updates); new ones, seeded with the shared chats, when absent.
   */
  fakes?: { tg: FakeTelegram; dc: FakeDiscord } | undefined;
  /** Called with the bot's gateway client before anything uses it (a test wraps methods to count calls). */
  observeGateway?: ((client: OpenClawGateway) => void) | undefined;
}

/**
 * Starts fake Telegram and fake Discord, the real channels against them, and the whole bot connected to
 * `gateway`; resolves once the bot is connected.
 */
export async function startChannelsBot(options: ChannelsBotOptions): Promise<ChannelsBot> {
  const { tg, dc } = options.fakes ?? (await startFakes());
  const logger = recordingLogger();
  const store = await openJsonStore({ path: options.storePath });
  const client = createOpenClawGateway({
    url: options.gateway.url,
    token: options.gateway.token,
    logger,
    // The real default backs off to 15 s while the gateway is down; a restart takes ~9 s, so tests would idle.
    backoffMaxMs: 1_000,
  });
  options.observeGateway?.(client);
  const bot = composeBot({
    store,
    gateway: client,
    logger,
    agentId: "main",
    policy: options.policy,
    allowedUsers: options.allowedUsers ?? [`telegram:${alice.id}`, `discord:${ids.alice}`],
    adminUsers: options.adminUsers ?? [],
  });
  const telegram = telegramRig(tg).connect(bot.app, logger);
  const discord = discordRig(dc).connect(bot.app, logger);
  bot.channels.add(telegram.channel);
  bot.channels.add(discord.channel);
  let botStopped: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;
  const stopBot = () => {
    botStopped ??= (async () => {
      await telegram.stop();
      await discord.stop();
      await bot.stop();
      await store.close();
    })();
    return botStopped;
  };
  const stop = () => {
    stopped ??= (async () => {
      await stopBot();
      await tg.stop();
      await dc.close();
    })();
    return stopped;
  };
  try {
    await telegram.start();
    await discord.start();
    await bot.start();
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  return { bot, store, client, logger, tg, telegram, dc, discord, stop, stopBot };
}

/** A fake Telegram with Alice's DM and the forum (Alice an administrator there), and a fake Discord. */
async function startFakes(): Promise<{ tg: FakeTelegram; dc: FakeDiscord }> {
  const tg = await FakeTelegram.start();
  for (const chat of [aliceDm, forum]) tg.addChat(chat);
  tg.setMember(forum.id, alice, "administrator");
  const dc = await FakeDiscord.start();
  return { tg, dc };
}

/**
 * A bot restart: stops `world`'s bot (its channels, core and store) and starts a new one on the same store
 * file and the same running fakes; `options` as for the first start.
 */
export async function restartChannelsBot(
  world: ChannelsBot,
  options: Omit<ChannelsBotOptions, "fakes">,
): Promise<ChannelsBot> {
  await world.stopBot();
  return startChannelsBot({ ...options, fakes: { tg: world.tg, dc: world.dc } });
}

/** Waits for the bot's message in a Telegram chat (and topic; undefined = outside topics) whose text matches. */
export function telegramSays(
  world: ChannelsBot,
  chatId: number,
  topicId: number | undefined,
  text: string | RegExp,
  timeoutMs = 60_000,
): Promise<TelegramMessage> {
  return says.telegramSays(world.tg, { chatId, topicId }, text, timeoutMs);
}

/** The bot's messages in a Discord channel (a thread or a DM channel). */
export function discordBotMessages(world: ChannelsBot, channelId: string): DiscordMessage[] {
  return says.discordBotMessages(world.dc, channelId);
}

/** Waits for the bot's message in a Discord channel whose (current) content matches. */
export function discordSays(
  world: ChannelsBot,
  channelId: string,
  text: string | RegExp,
  timeoutMs = 60_000,
): Promise<DiscordMessage> {
  return says.discordSays(world.dc, channelId, text, timeoutMs);
}

/** `/thread <name>` from the forum's General: waits for the reply there and returns the topic it opened. */
export async function openTelegramTopic(world: ChannelsBot, name: string): Promise<number> {
  world.tg.userMessage(forum.id, alice, `/thread ${name}`);
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  await telegramSays(world, forum.id, undefined, new RegExp(`Created thread "${escaped}"`), 30_000);
  const topic = world.tg.topics(forum.id).find((t) => t.name === name);
  if (!topic) throw new Error(`no forum topic named ${name}`);
  return topic.id;
}

/** `/thread name:<name>` in the text channel #general: waits for the answer and returns the Discord thread id. */
export async function openDiscordThread(
  world: ChannelsBot,
  name: string,
): Promise<{ threadId: string; reply: string }> {
  const slash = world.dc.slash({
    userId: ids.alice,
    channelId: ids.general,
    name: "thread",
    subcommand: "open",
    options: { name },
  });
  const reply = await world.dc.waitFor(() => !slash.pendingDefer && slash.original?.content, {
    timeoutMs: 30_000,
    what: "/thread reply",
  });
  const thread = [...world.dc.world.channels.values()].find((c) => c.name === name && c.parentId === ids.general);
  if (!thread) throw new Error(`no Discord thread named ${name}`);
  return { threadId: thread.id, reply };
}
