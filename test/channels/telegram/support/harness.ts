import { beforeEach, expect } from "vitest";
import {
  createTelegramChannel,
  type TelegramChannel,
  type TelegramLimits,
} from "../../../../src/channels/telegram/index.ts";
import type { ChannelPort } from "../../../../src/core/ports.ts";
import { type FakeChat, FakeTelegram, type FakeUser } from "../../../fakes/fake-telegram.ts";
import type { RecordingLogger } from "../../../fakes/recording-logger.ts";
import { RecordingApp } from "../../support/recording-app.ts";
import { type ChannelRig, startChannel } from "../../support/rig.ts";

/** People and chats the Telegram tests share. */
export const alice: FakeUser = { id: 101, is_bot: false, first_name: "Alice", username: "alice" };
export const bob: FakeUser = { id: 102, is_bot: false, first_name: "Bob" };
export const otherBot: FakeUser = { id: 900, is_bot: true, first_name: "Other", username: "other_bot" };
export const aliceDm: FakeChat = { id: 101, type: "private", first_name: "Alice" };
export const group: FakeChat = { id: -4001, type: "group", title: "Plain group" };
export const forum: FakeChat = { id: -1002001, type: "supergroup", title: "Forum", is_forum: true };
export const supergroup: FakeChat = { id: -1003001, type: "supergroup", title: "Supergroup" };

/**
 * The real Telegram channel on `tg`. After it stops, the fake must have been asked nothing it does not
 * implement, and every button press must have been answered (or the person's client keeps spinning).
 */
export function telegramRig(
  tg: FakeTelegram,
  limits: TelegramLimits = { throttle: false },
): ChannelRig<TelegramChannel> {
  return {
    logPrefix: "telegram:",
    secrets: [tg.token],
    connect: (app, logger) => createTelegramChannel({ token: tg.token, apiRoot: tg.apiRoot, app, logger, limits }),
    close: async () => {
      await tg.stop();
      expect(tg.unimplemented).toEqual([]);
      expect([...tg.world.callbackQueries.values()].every((q) => q.answered)).toBe(true);
    },
  };
}

/** A fake Telegram, a recording app and the real channel polling the fake. */
export interface Harness {
  tg: FakeTelegram;
  app: RecordingApp;
  telegram: TelegramChannel;
  channel: ChannelPort;
  logger: RecordingLogger;
}

/** Starts the fake (seeded with the shared chats) and the channel; both stop after the test. */
export async function startHarness(options: { limits?: TelegramLimits } = {}): Promise<Harness> {
  const tg = await FakeTelegram.start();
  for (const chat of [aliceDm, group, forum, supergroup]) tg.addChat(chat);
  tg.setMember(group.id, alice, "creator");
  tg.setMember(group.id, bob, "member");
  tg.setMember(forum.id, alice, "administrator");
  tg.setMember(forum.id, bob, "member");
  const app = new RecordingApp();
  const { channel: telegram, logger } = await startChannel(telegramRig(tg, options.limits), app);
  return { tg, app, telegram, channel: telegram.channel, logger };
}

/** A harness started before each test of the file (or describe block) and stopped after it. */
export function useHarness(options: { limits?: TelegramLimits } = {}): Harness {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await startHarness(options);
  });
  const now = (): Harness => {
    if (!current) throw new Error("useHarness: the harness starts in beforeEach; use it inside tests");
    return current;
  };
  return {
    get tg() {
      return now().tg;
    },
    get app() {
      return now().app;
    },
    get telegram() {
      return now().telegram;
    },
    get channel() {
      return now().channel;
    },
    get logger() {
      return now().logger;
    },
  };
}

/** Resolves when `probe` holds, polling every 10 ms (for state outside the fake). */
export async function until(probe: () => boolean, what = "condition", timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
