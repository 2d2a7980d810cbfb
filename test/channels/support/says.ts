import { type StoredMessage as DiscordMessage, type FakeDiscord, ids } from "../../fakes/fake-discord.ts";
import type { FakeTelegram, StoredMessage as TelegramMessage } from "../../fakes/fake-telegram.ts";

/** True when `text` is `expected` (a string) or matches it (a pattern). */
function matches(expected: string | RegExp, text: string | undefined): boolean {
  return typeof expected === "string" ? text === expected : expected.test(text ?? "");
}

/** Waits for the bot's message in a Telegram chat (and topic; undefined = outside topics) whose text matches. */
export function telegramSays(
  tg: FakeTelegram,
  where: { chatId: number; topicId?: number | undefined },
  text: string | RegExp,
  timeoutMs = 10_000,
): Promise<TelegramMessage> {
  const { chatId, topicId } = where;
  return tg.waitUntil(() => tg.botMessages(chatId, topicId).find((m) => matches(text, m.message.text)), {
    timeoutMs,
    what: `${String(text)} in telegram ${chatId}/${topicId ?? "-"}`,
  });
}

/** The bot's messages in a Discord channel (a thread or a DM channel), deleted ones left out. */
export function discordBotMessages(dc: FakeDiscord, channelId: string): DiscordMessage[] {
  return dc.messagesIn(channelId).filter((m) => m.author.id === ids.bot && !m.deleted);
}

/** Waits for the bot's message in a Discord channel whose (current) content matches. */
export function discordSays(
  dc: FakeDiscord,
  channelId: string,
  text: string | RegExp,
  timeoutMs = 5_000,
): Promise<DiscordMessage> {
  return dc.waitFor(() => discordBotMessages(dc, channelId).find((m) => matches(text, m.content)), {
    timeoutMs,
    what: `${String(text)} in discord ${channelId}`,
  });
}
