import type { Editable, FakeContext, InteractionRecord } from "./context.ts";
import { channelJson, interactionMessageJson, memberJson, messageJson, userJson } from "./json.ts";
import { ChannelKind, dmChannelFor, type FakeChannel, memberPermissions, snowflake } from "./world.ts";

/** Where and by whom: a guild channel id, or `{ dm: true }` for the user's DM with the bot. */
export interface Origin {
  userId: string;
  channelId?: string;
  dm?: boolean;
}

/** The channel an origin names (the user's DM channel when `dm`). */
export function originChannel(ctx: FakeContext, origin: Origin): FakeChannel {
  if (origin.dm) return dmChannelFor(ctx.world, origin.userId);
  const channel = ctx.world.channels.get(origin.channelId ?? "");
  if (!channel) throw new Error(`fake-discord: no channel ${origin.channelId}`);
  return channel;
}

/**
 * The common part of INTERACTION_CREATE: guild interactions carry `member` with permissions
 * computed from roles; DM ones carry `user`. Registers a record for the bot's answers.
 */
export function interactionBase(
  ctx: FakeContext,
  origin: Origin,
  type: number,
  data: Record<string, unknown>,
): { payload: Record<string, unknown>; record: InteractionRecord } {
  const channel = originChannel(ctx, origin);
  const user = ctx.world.users.get(origin.userId);
  if (!user) throw new Error(`fake-discord: no user ${origin.userId}`);
  const record = newRecord(ctx, type, channel.id, user.id);
  ctx.interactions.set(record.id, record);
  const guildId = channel.type === ChannelKind.DM ? undefined : channel.guildId;
  const who = guildId
    ? { member: { ...memberJson(ctx.world, user.id), permissions: String(memberPermissions(ctx.world, user.id)) } }
    : { user: userJson(user) };
  const payload = {
    id: record.id,
    application_id: ctx.world.bot.id,
    type,
    token: record.token,
    version: 1,
    data,
    channel_id: channel.id,
    channel: channelJson(ctx.world, channel),
    ...(guildId ? { guild_id: guildId, guild_locale: "en-US" } : {}),
    ...who,
    app_permissions: String(memberPermissions(ctx.world, ctx.world.bot.id)),
    locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: { "0": guildId ?? user.id },
    context: guildId ? 0 : 1,
  };
  return { payload, record };
}

function newRecord(ctx: FakeContext, type: number, channelId: string, userId: string): InteractionRecord {
  const id = snowflake();
  const record = { id, token: `itoken-${snowflake()}`, type, channelId, userId, createdAt: ctx.now() };
  return { ...record, callbacks: [], pendingDefer: false, followups: [] };
}

/** The registered command id for `name` (guild commands first), or a fresh id. */
export function commandId(ctx: FakeContext, name: string): string {
  const all = [...(ctx.commands.guilds.get(ctx.world.guild.id) ?? []), ...(ctx.commands.global ?? [])];
  const found = all.find((c) => c.name === name);
  return typeof found?.id === "string" ? found.id : snowflake();
}

/**
 * Slash command data: string options as given (an absent option is simply not sent); under a
 * SUB_COMMAND option (type 1) when a subcommand is named, as Discord nests them.
 */
export function slashData(
  ctx: FakeContext,
  name: string,
  options: Record<string, string>,
  subcommand?: string,
): Record<string, unknown> {
  const values = Object.entries(options).map(([optionName, value]) => ({ name: optionName, type: 3, value }));
  return { id: commandId(ctx, name), name, type: 1, options: nestUnder(subcommand, values) };
}

function nestUnder(subcommand: string | undefined, options: Record<string, unknown>[]): Record<string, unknown>[] {
  return subcommand === undefined ? options : [{ name: subcommand, type: 1, options }];
}

/** Autocomplete data: the focused option carries `focused: true`. */
export function autocompleteData(
  ctx: FakeContext,
  name: string,
  focused: string,
  value: string,
  others: Record<string, string> = {},
  subcommand?: string,
): Record<string, unknown> {
  const options = [
    ...Object.entries(others).map(([optionName, v]) => ({ name: optionName, type: 3, value: v })),
    { name: focused, type: 3, value, focused: true },
  ];
  return { id: commandId(ctx, name), name, type: 1, options: nestUnder(subcommand, options) };
}

/**
 * The message that carries a button: a channel message, or a message an interaction produced
 * (an ephemeral /threads page, say); its JSON for the payload, the object edits change, its channel.
 */
export function carrierOf(ctx: FakeContext, messageId: string) {
  const stored = ctx.world.messages.get(messageId);
  if (stored)
    return { json: messageJson(ctx.world, stored), editable: stored as Editable, channelId: stored.channelId };
  for (const record of ctx.interactions.values()) {
    const found = [record.original, ...record.followups].find((m) => m?.id === messageId);
    if (found) {
      return {
        json: interactionMessageJson(ctx.world, record.channelId, found),
        editable: found,
        channelId: record.channelId,
      };
    }
  }
  throw new Error(`fake-discord: no message ${messageId}`);
}
