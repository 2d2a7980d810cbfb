import { BotError, ErrorCode } from "../errors.ts";

/** Where a message came from, in structured form; encoded only by the codecs below. */
export type Conversation =
  | { platform: "telegram"; chatId: string; topicId?: string }
  | { platform: "discord"; guildId: string; channelId: string }
  | { platform: "discord"; dmUserId: string }
  | { platform: "console"; name: string };

/** The platforms a conversation key can name. */
export type Platform = Conversation["platform"];

// Platform ids are opaque: any run of characters without `:` or whitespace.
// They are never case-folded and never parsed as numbers.
const ID = "[^:\\s]{1,64}";
const TELEGRAM = new RegExp(`^telegram:(${ID})(?::topic:(${ID}))?$`);
const DISCORD_DM = new RegExp(`^discord:dm:(${ID})$`);
const DISCORD = new RegExp(`^discord:(${ID}):(${ID})$`);
const CONSOLE = /^console:([A-Za-z0-9._-]{1,64})$/;
const ID_ONLY = new RegExp(`^${ID}$`);

function checkId(kind: string, value: string): string {
  if (!ID_ONLY.test(value)) throw new BotError(ErrorCode.BadInput, `Invalid ${kind} id: ${JSON.stringify(value)}`);
  return value;
}

/** Telegram: `telegram:<chatId>` or `telegram:<chatId>:topic:<messageThreadId>`. */
export const telegramKey = {
  encode(chatId: string, topicId?: string): string {
    const chat = checkId("Telegram chat", chatId);
    return topicId === undefined ? `telegram:${chat}` : `telegram:${chat}:topic:${checkId("Telegram topic", topicId)}`;
  },
  decode(key: string): { chatId: string; topicId?: string } | undefined {
    const m = TELEGRAM.exec(key);
    if (!m?.[1]) return undefined;
    return m[2] === undefined ? { chatId: m[1] } : { chatId: m[1], topicId: m[2] };
  },
};

/** Discord: `discord:<guildId>:<channelId>` (a Discord thread is a channel) or `discord:dm:<userId>`. */
export const discordKey = {
  encode(guildId: string, channelId: string): string {
    if (guildId === "dm") throw new BotError(ErrorCode.BadInput, "A guild id cannot be 'dm'.");
    return `discord:${checkId("Discord guild", guildId)}:${checkId("Discord channel", channelId)}`;
  },
  encodeDm(userId: string): string {
    return `discord:dm:${checkId("Discord user", userId)}`;
  },
  decode(key: string): { guildId: string; channelId: string } | { dmUserId: string } | undefined {
    const dm = DISCORD_DM.exec(key);
    if (dm?.[1]) return { dmUserId: dm[1] };
    const m = DISCORD.exec(key);
    if (!m?.[1] || !m[2]) return undefined;
    return { guildId: m[1], channelId: m[2] };
  },
};

/** Console: `console:<name>`, one per terminal conversation. */
export const consoleKey = {
  encode(name: string): string {
    const key = `console:${name}`;
    if (!CONSOLE.test(key))
      throw new BotError(ErrorCode.BadInput, "Console conversation names use letters, digits, '.', '_' and '-'.");
    return key;
  },
  decode(key: string): { name: string } | undefined {
    const m = CONSOLE.exec(key);
    return m?.[1] ? { name: m[1] } : undefined;
  },
};

/** Encodes any conversation through its platform's codec. */
export function encodeConversation(c: Conversation): string {
  switch (c.platform) {
    case "telegram":
      return telegramKey.encode(c.chatId, c.topicId);
    case "discord":
      return "dmUserId" in c ? discordKey.encodeDm(c.dmUserId) : discordKey.encode(c.guildId, c.channelId);
    case "console":
      return consoleKey.encode(c.name);
  }
}

/** Decodes a conversation key; undefined when no codec accepts it. */
export function decodeConversation(key: string): Conversation | undefined {
  const tg = telegramKey.decode(key);
  if (tg) return { platform: "telegram", ...tg };
  const dc = discordKey.decode(key);
  if (dc) return { platform: "discord", ...dc };
  const co = consoleKey.decode(key);
  if (co) return { platform: "console", ...co };
  return undefined;
}

/** The platform of a conversation key (its first segment), validated. */
export function platformOf(key: string): Platform {
  const c = decodeConversation(key);
  if (!c) throw new BotError(ErrorCode.BadInput, `Not a conversation key: ${JSON.stringify(key)}`);
  return c.platform;
}

/**
 * The space a conversation belongs to, used to scope what chat admins may list:
 * a Telegram chat (all its topics), a Discord guild, a Discord DM, a console.
 */
export function spaceOf(key: string): string {
  const c = decodeConversation(key);
  if (!c) throw new BotError(ErrorCode.BadInput, `Not a conversation key: ${JSON.stringify(key)}`);
  switch (c.platform) {
    case "telegram":
      return `telegram:${c.chatId}`;
    case "discord":
      return "dmUserId" in c ? `discord:dm:${c.dmUserId}` : `discord:${c.guildId}`;
    case "console":
      return key;
  }
}

/** True when conversation `key` lies in `space` (see spaceOf). */
export function inSpace(key: string, space: string): boolean {
  return key === space || key.startsWith(`${space}:`);
}

/**
 * A native topic or Discord thread the bot opened for a thread inside a container conversation
 * (a forum's General, a text channel): `<containerConversation>|<slug>`. Neither part holds `|`.
 */
export const nativeThreadKey = {
  encode(container: string, slug: string): string {
    if (!decodeConversation(container) || container.includes("|") || slug.length === 0 || slug.includes("|")) {
      throw new BotError(ErrorCode.BadInput, `Invalid native thread key parts: ${JSON.stringify([container, slug])}`);
    }
    return `${container}|${slug}`;
  },
  decode(key: string): { container: string; slug: string } | undefined {
    const [container, slug, ...rest] = key.split("|");
    if (container === undefined || slug === undefined || rest.length > 0 || slug.length === 0) return undefined;
    return decodeConversation(container) ? { container, slug } : undefined;
  },
};
