/** API JSON of the fake's world objects, as Discord's REST and gateway send them. */
import type { InteractionMessage } from "./context.ts";
import { ChannelKind, type FakeChannel, type FakeUser, type StoredMessage, type World } from "./world.ts";

/** User object JSON. */
export function userJson(user: FakeUser): Record<string, unknown> {
  return { id: user.id, username: user.username, discriminator: "0", global_name: null, avatar: null, bot: user.bot };
}

/** Guild member JSON (with the user unless `withUser` is false, as in MESSAGE_CREATE). */
export function memberJson(world: World, userId: string, withUser = true): Record<string, unknown> {
  const member = world.guild.members.find((m) => m.userId === userId);
  const user = world.users.get(userId);
  return {
    ...(withUser && user ? { user: userJson(user) } : {}),
    roles: member?.roles ?? [],
    joined_at: "2026-01-01T00:00:00.000Z",
    deaf: false,
    mute: false,
    flags: 0,
    nick: null,
  };
}

/** Channel object JSON as REST and the gateway return it. */
export function channelJson(world: World, channel: FakeChannel): Record<string, unknown> {
  if (channel.type === ChannelKind.DM) {
    const recipient = world.users.get(channel.recipientId ?? "");
    return {
      id: channel.id,
      type: channel.type,
      last_message_id: null,
      recipients: recipient ? [userJson(recipient)] : [],
    };
  }
  const base = {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    parent_id: channel.parentId ?? null,
    permission_overwrites: [],
    rate_limit_per_user: 0,
    flags: 0,
    nsfw: false,
    last_message_id: null,
  };
  if (!channel.thread)
    return { ...base, position: 0, topic: null, available_tags: [], default_auto_archive_duration: 1440 };
  const t = channel.thread;
  return {
    ...base,
    owner_id: channel.ownerId,
    message_count: 0,
    member_count: channel.threadMembers.size,
    total_message_sent: 0,
    applied_tags: [],
    thread_metadata: {
      archived: t.archived,
      locked: t.locked,
      auto_archive_duration: t.autoArchiveDuration,
      archive_timestamp: t.archivedAt,
      create_timestamp: "2026-01-01T00:00:00.000Z",
    },
  };
}

/** Message object JSON. */
export function messageJson(world: World, message: StoredMessage): Record<string, unknown> {
  const channel = world.channels.get(message.channelId);
  const referenced = message.referenceId ? world.messages.get(message.referenceId) : undefined;
  return {
    id: message.id,
    type: message.type,
    channel_id: message.channelId,
    ...(channel?.guildId ? { guild_id: channel.guildId } : {}),
    author: userJson(message.author),
    content: message.content,
    components: message.components,
    flags: message.flags,
    timestamp: new Date().toISOString(),
    edited_timestamp: message.edits.length > 0 ? new Date().toISOString() : null,
    tts: false,
    mention_everyone: false,
    mentions: referenced ? [userJson(referenced.author)] : [],
    mention_roles: [],
    attachments: message.attachments.map((file) => ({
      id: file.id,
      filename: file.filename,
      content_type: file.contentType,
      size: file.size,
      url: file.url,
      proxy_url: file.url,
    })),
    sticker_items: message.stickers.map((name, i) => ({ id: `${message.id}${i}`, name, format_type: 1 })),
    embeds: [],
    pinned: false,
    ...(message.referenceId
      ? {
          message_reference: { type: 0, message_id: message.referenceId, channel_id: message.channelId },
          referenced_message: referenced ? messageJson(world, { ...referenced, referenceId: undefined }) : null,
        }
      : {}),
  };
}

/** A message an interaction produced (type 20, sent through the application's webhook). */
export function interactionMessageJson(world: World, channelId: string, message: InteractionMessage) {
  return {
    id: message.id,
    type: 20,
    channel_id: channelId,
    author: userJson(world.bot),
    content: message.content,
    components: message.components,
    flags: message.flags,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    webhook_id: world.bot.id,
    application_id: world.bot.id,
  };
}
