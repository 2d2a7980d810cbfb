import type { FakeContext } from "./context.ts";
import { type DispatchFilter, Intent } from "./gateway.ts";
import { channelJson, memberJson, messageJson } from "./json.ts";
import { ChannelKind, type FakeChannel, type StoredMessage } from "./world.ts";

/**
 * MESSAGE_CREATE as Discord shapes it per session: guild messages need GuildMessages, DMs need
 * DirectMessages; without MessageContent the content (and components) are empty except in DMs,
 * for the bot's own messages and for messages that mention the bot. `channel_type` is always set:
 * discord.js cannot build an uncached DM channel without it.
 */
export function messageCreate(ctx: FakeContext, message: StoredMessage): DispatchFilter {
  const channel = ctx.world.channels.get(message.channelId);
  const dm = channel?.type === ChannelKind.DM;
  const base = {
    ...messageJson(ctx.world, message),
    channel_type: channel?.type,
    ...(channel?.guildId ? { member: memberJson(ctx.world, message.author.id, false) } : {}),
  };
  const botId = ctx.world.bot.id;
  const privileged = dm || message.author.id === botId || message.content.includes(`<@${botId}>`);
  return (intents) => {
    if (!(intents & (dm ? Intent.DirectMessages : Intent.GuildMessages))) return undefined;
    if (privileged || intents & Intent.MessageContent) return base;
    return { ...base, content: "", components: [], embeds: [], attachments: [] };
  };
}

/** THREAD_CREATE / THREAD_UPDATE need the Guilds intent. */
export function threadEvent(
  ctx: FakeContext,
  thread: FakeChannel,
  extra: Record<string, unknown> = {},
): DispatchFilter {
  const data = { ...channelJson(ctx.world, thread), ...extra };
  return (intents) => (intents & Intent.Guilds ? data : undefined);
}
