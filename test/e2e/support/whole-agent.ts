/**
 * Helpers of the "whole agent" e2e files (issue 12): the bot's approval messages, progress lines and files as
 * the fake Telegram and the fake Discord keep them, button presses as a person makes them, and a call log of
 * the bot's gateway client (what reached the gateway from the bot).
 */
import { deflateSync } from "node:zlib";
import type { OpenClawGateway } from "../../../src/gateway/index.ts";
import { discordBotMessages } from "../../channels/support/says.ts";
import type { StoredMessage as DiscordMessage, FakeDiscord } from "../../fakes/fake-discord.ts";
import type { FakeTelegram, FakeUser, StoredMessage as TelegramMessage } from "../../fakes/fake-telegram.ts";

/** The first line of an approval message (Telegram shows it as is; Discord escapes Markdown). */
export const APPROVAL = /asks to run a command:/;
/** A progress line while the turn runs, or the summary it becomes. */
export const PROGRESS = /^(⚙️ |✓ \d+ tool calls? \(|■ \d+ tool calls? \()/;

/** One call of the bot's gateway client. */
export interface ClientCall {
  method: string;
  args: unknown[];
  /** Set once the call returned or failed. */
  settled: boolean;
}

/** Wraps `methods` of the bot's gateway client so every call is appended to `log` (the calls still happen). */
export function logCalls(client: OpenClawGateway, methods: readonly string[], log: ClientCall[]): void {
  const target = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of methods) {
    const original = target[method];
    if (typeof original !== "function") throw new Error(`the gateway client has no method ${method}`);
    target[method] = async (...args: unknown[]) => {
      const call: ClientCall = { method, args, settled: false };
      log.push(call);
      try {
        return await original.apply(client, args);
      } finally {
        call.settled = true;
      }
    };
  }
}

/* ───────────── Telegram ───────────── */

/** Every text a Telegram message had, oldest first (the original, then each edit). */
export function telegramVersions(message: TelegramMessage): string[] {
  return message.history.map((v) => v.text);
}

/** The labels of a Telegram message's inline buttons as it is now. */
export function telegramButtons(message: TelegramMessage): string[] {
  return (message.message.reply_markup?.inline_keyboard.flat() ?? []).map((b) => b.text);
}

/** Presses the button labelled `label` under `message` as `user`; resolves with the toast text it was answered. */
export async function pressTelegram(
  tg: FakeTelegram,
  user: FakeUser,
  message: TelegramMessage,
  label: string,
): Promise<string | undefined> {
  const id = startTelegramPress(tg, user, message, label);
  return telegramToast(tg, id);
}

/** Presses a button without waiting for its answer; returns the callback query id. */
export function startTelegramPress(tg: FakeTelegram, user: FakeUser, message: TelegramMessage, label: string): string {
  const button = message.message.reply_markup?.inline_keyboard.flat().find((b) => b.text === label);
  if (!button?.callback_data)
    throw new Error(`no button "${label}" under Telegram message ${message.message.message_id}`);
  return tg.callbackQuery(user, message.message, button.callback_data);
}

/** The toast a callback query was answered with, once it was. */
export async function telegramToast(tg: FakeTelegram, queryId: string): Promise<string | undefined> {
  const call = await tg.waitUntil(
    () => tg.calls.find((c) => c.ok && c.method === "answerCallbackQuery" && c.params.callback_query_id === queryId),
    { timeoutMs: 30_000, what: `the answer to callback query ${queryId}` },
  );
  return call.params.text as string | undefined;
}

/** The bot's messages in a chat (and topic) after message id `after`, in order. */
export function telegramBotMessagesAfter(
  tg: FakeTelegram,
  chatId: number,
  topicId: number | undefined,
  after: number,
): TelegramMessage[] {
  return tg.botMessages(chatId, topicId).filter((m) => m.message.message_id > after);
}

/** Whether any version of a Telegram message was a progress line. */
export function isTelegramProgress(message: TelegramMessage): boolean {
  return telegramVersions(message).some((t) => PROGRESS.test(t));
}

/* ───────────── Discord ───────────── */

interface DiscordButton {
  label: string;
  custom_id: string;
}

/** Every content a Discord message had, oldest first. */
export function discordVersions(message: DiscordMessage): string[] {
  return [...message.edits, message.content];
}

/** The buttons of a Discord message as it is now. */
export function discordButtons(message: DiscordMessage): DiscordButton[] {
  return (message.components as { components?: DiscordButton[] }[]).flatMap((row) => row.components ?? []);
}

/** Presses the button labelled `label` on `message` as `userId`; resolves with the interaction's answer. */
export async function pressDiscord(
  dc: FakeDiscord,
  userId: string,
  message: DiscordMessage,
  label: string,
): Promise<{ content: string; flags: number | undefined }> {
  const button = discordButtons(message).find((b) => b.label === label);
  if (!button) throw new Error(`no button "${label}" on Discord message ${message.id}`);
  const press = dc.pressButton({ userId, messageId: message.id, customId: button.custom_id });
  const content = await dc.waitFor(() => !press.pendingDefer && press.original?.content, {
    timeoutMs: 30_000,
    what: `the answer to pressing ${label}`,
  });
  return { content, flags: press.original?.flags };
}

/** The bot's messages in a Discord channel created after `after` (a message id; ids grow), in order. */
export function discordBotMessagesAfter(
  dc: FakeDiscord,
  channelId: string,
  after: string | undefined,
): DiscordMessage[] {
  return discordBotMessages(dc, channelId).filter((m) => after === undefined || BigInt(m.id) > BigInt(after));
}

/** Whether any version of a Discord message was a progress line. */
export function isDiscordProgress(message: DiscordMessage): boolean {
  return discordVersions(message).some((t) => PROGRESS.test(t));
}

/* ───────────── files ───────────── */

/** A valid 1×1 PNG of one colour (zlib-compressed, with correct CRCs), distinct per colour. */
export function solidPng(rgb: readonly [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0); // width
  header.writeUInt32BE(1, 4); // height
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const pixels = deflateSync(Buffer.from([0, ...rgb])); // filter byte 0, then one RGB pixel
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
