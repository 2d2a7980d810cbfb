import type { TelegramChannel } from "../../../../src/channels/telegram/index.ts";
import type { ResumePolicy } from "../../../../src/core/model.ts";
import { FakeTelegram, type FakeUser, type StoredMessage } from "../../../fakes/fake-telegram.ts";
import { startBotWorld, type BotWorld as World } from "../../support/bot-world.ts";
import { telegramSays } from "../../support/says.ts";
import { alice, aliceDm, bob, forum, group, telegramRig } from "./harness.ts";

/** A configured admin (ADMIN_USERS) who administers no chat. */
export const dave: FakeUser = { id: 104, is_bot: false, first_name: "Dave" };
/** Someone not on ALLOWED_USERS. */
export const carol: FakeUser = { id: 103, is_bot: false, first_name: "Carol" };

/** The whole bot on fakes with the real Telegram channel (`telegram`) on a fake Telegram (`tg`). */
export interface BotWorld extends World<TelegramChannel> {
  tg: FakeTelegram;
  telegram: TelegramChannel;
}

/** Starts the fakes and the whole bot; torn down after each test. */
export async function startBot(options: { policy?: ResumePolicy } = {}): Promise<BotWorld> {
  const tg = await FakeTelegram.start();
  for (const chat of [aliceDm, group, forum]) tg.addChat(chat);
  tg.addChat({ id: dave.id, type: "private", first_name: "Dave" });
  tg.addChat({ id: carol.id, type: "private", first_name: "Carol" });
  tg.setMember(forum.id, alice, "administrator");
  tg.setMember(forum.id, bob, "member");
  const world = await startBotWorld(telegramRig(tg), {
    allowedUsers: [`telegram:${alice.id}`, `telegram:${bob.id}`],
    adminUsers: [`telegram:${dave.id}`],
    policy: options.policy,
  });
  return { ...world, tg, telegram: world.channel };
}

/** Waits for a bot message in a chat (and topic; undefined = outside topics) whose text matches. */
export function botSays(
  world: BotWorld,
  chatId: number,
  topicId: number | undefined,
  text: string | RegExp,
): Promise<StoredMessage> {
  return telegramSays(world.tg, { chatId, topicId }, text);
}
