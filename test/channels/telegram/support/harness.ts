import {
  createTelegramChannel,
  type TelegramChannel,
  type TelegramLimits,
} from "../../../../src/channels/telegram/index.ts";
import type { ChannelPort, Logger } from "../../../../src/core/ports.ts";
import { type FakeChat, FakeTelegram, type FakeUser } from "../../../fakes/fake-telegram.ts";
import { RecordingApp } from "./recording-app.ts";

/** People and chats the Telegram tests share. */
export const alice: FakeUser = { id: 101, is_bot: false, first_name: "Alice", username: "alice" };
export const bob: FakeUser = { id: 102, is_bot: false, first_name: "Bob" };
export const otherBot: FakeUser = { id: 900, is_bot: true, first_name: "Other", username: "other_bot" };
export const aliceDm: FakeChat = { id: 101, type: "private", first_name: "Alice" };
export const group: FakeChat = { id: -4001, type: "group", title: "Plain group" };
export const forum: FakeChat = { id: -1002001, type: "supergroup", title: "Forum", is_forum: true };
export const supergroup: FakeChat = { id: -1003001, type: "supergroup", title: "Supergroup" };

/** One log line as the recording logger keeps it. */
export interface LogEntry {
  level: string;
  message: string;
  fields?: Record<string, unknown> | undefined;
}

/** A logger that keeps every line, so tests can look for secrets in them. */
export function recordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    entries.push({ level, message, fields });
  };
  return { entries, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A fake Telegram, a recording app and the real channel polling the fake. */
export interface Harness {
  tg: FakeTelegram;
  app: RecordingApp;
  telegram: TelegramChannel;
  channel: ChannelPort;
  logger: ReturnType<typeof recordingLogger>;
  stop(): Promise<void>;
}

/** Starts the fake (seeded with the shared chats) and the channel; call stop() after the test. */
export async function startHarness(options: { limits?: TelegramLimits } = {}): Promise<Harness> {
  const tg = await FakeTelegram.start();
  for (const chat of [aliceDm, group, forum, supergroup]) tg.addChat(chat);
  tg.setMember(group.id, alice, "creator");
  tg.setMember(group.id, bob, "member");
  tg.setMember(forum.id, alice, "administrator");
  tg.setMember(forum.id, bob, "member");
  const app = new RecordingApp();
  const logger = recordingLogger();
  const telegram = createTelegramChannel({
    token: tg.token,
    apiRoot: tg.apiRoot,
    app,
    logger,
    limits: options.limits ?? { throttle: false },
  });
  await telegram.start();
  const stop = async () => {
    await telegram.stop();
    await tg.stop();
  };
  return { tg, app, telegram, channel: telegram.channel, logger, stop };
}

/** Resolves when `probe` holds, polling every 10 ms (for state outside the fake). */
export async function until(probe: () => boolean, what = "condition", timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
