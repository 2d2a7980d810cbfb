import { afterEach, expect } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../../../src/channels/telegram/index.ts";
import { type Bot, composeBot } from "../../../../src/compose.ts";
import type { ResumePolicy } from "../../../../src/core/model.ts";
import { createOpenClawGateway } from "../../../../src/gateway/index.ts";
import { MemoryStore } from "../../../../src/store/index.ts";
import { type FakeOpenClawGateway, startFakeGateway } from "../../../fakes/fake-gateway.ts";
import { FakeTelegram, type FakeUser, type StoredMessage } from "../../../fakes/fake-telegram.ts";
import { alice, aliceDm, bob, forum, group, recordingLogger } from "./harness.ts";

/** A configured admin (ADMIN_USERS) who administers no chat. */
export const dave: FakeUser = { id: 104, is_bot: false, first_name: "Dave" };
/** Someone not on ALLOWED_USERS. */
export const carol: FakeUser = { id: 103, is_bot: false, first_name: "Carol" };

/** The whole bot on fakes: real core, real gateway client, in-memory store, real Telegram channel. */
export interface BotWorld {
  tg: FakeTelegram;
  gw: FakeOpenClawGateway;
  bot: Bot;
  store: MemoryStore;
  telegram: TelegramChannel;
  logger: ReturnType<typeof recordingLogger>;
}

let running: BotWorld | undefined;

/** Starts the fakes and the whole bot; torn down after each test. */
export async function startBot(options: { policy?: ResumePolicy } = {}): Promise<BotWorld> {
  const tg = await FakeTelegram.start();
  for (const chat of [aliceDm, group, forum]) tg.addChat(chat);
  tg.addChat({ id: dave.id, type: "private", first_name: "Dave" });
  tg.addChat({ id: carol.id, type: "private", first_name: "Carol" });
  tg.setMember(forum.id, alice, "administrator");
  tg.setMember(forum.id, bob, "member");
  const gw = await startFakeGateway();
  const logger = recordingLogger();
  const store = new MemoryStore();
  const gateway = createOpenClawGateway({ url: gw.url, token: gw.token, logger });
  const bot = composeBot({
    store,
    gateway,
    logger,
    agentId: "main",
    policy: options.policy ?? "auto",
    sleep: async () => undefined,
    allowedUsers: [`telegram:${alice.id}`, `telegram:${bob.id}`],
    adminUsers: [`telegram:${dave.id}`],
  });
  const telegram = createTelegramChannel({
    token: tg.token,
    apiRoot: tg.apiRoot,
    app: bot.app,
    logger,
    limits: { throttle: false },
  });
  bot.channels.add(telegram.channel);
  running = { tg, gw, bot, store, telegram, logger };
  await telegram.start();
  await bot.start();
  return running;
}

afterEach(async () => {
  if (!running) return;
  const { tg, gw, bot, telegram, logger } = running;
  running = undefined;
  await telegram.stop();
  await bot.stop();
  await gw.stop();
  await tg.stop();
  expect(tg.unimplemented).toEqual([]);
  expect([...tg.world.callbackQueries.values()].every((q) => q.answered)).toBe(true);
  const complaints = logger.entries.filter((e) => /warn|error/.test(e.level) && e.message.startsWith("telegram:"));
  expect(complaints).toEqual([]);
  expect(JSON.stringify(logger.entries)).not.toContain(tg.token);
});

/** Waits for a bot message in a chat (and topic; undefined = outside topics) whose text matches. */
export function botSays(
  world: BotWorld,
  chatId: number,
  topicId: number | undefined,
  text: string | RegExp,
): Promise<StoredMessage> {
  const matches = (t: string | undefined) => (typeof text === "string" ? t === text : text.test(t ?? ""));
  return world.tg.waitUntil(() => world.tg.botMessages(chatId, topicId).find((m) => matches(m.message.text)), {
    timeoutMs: 10_000,
    what: `${String(text)} in ${chatId}/${topicId ?? "-"}`,
  });
}
