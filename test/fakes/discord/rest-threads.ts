import type { FakeContext } from "./context.ts";
import { threadEvent } from "./events.ts";
import { apiError, type FakeResponse, json, noContent, type Router } from "./http.ts";
import { channelJson, messageJson } from "./json.ts";
import { postMessage } from "./rest-messages.ts";
import { ChannelKind, type FakeChannel, snowflake, threadMeta } from "./world.ts";

/** Threads: create (plain, from a message, forum post), list active and archived, join. */
export function addThreadRoutes(router: Router, ctx: FakeContext): void {
  const { world } = ctx;
  router
    .add("POST", "/channels/:channel/threads", (req) => createThread(ctx, req.params.channel ?? "", req.body ?? {}))
    .add("POST", "/channels/:channel/messages/:message/threads", (req) => {
      const message = world.messages.get(req.params.message ?? "");
      if (!message || message.channelId !== req.params.channel) return apiError(404, 10008, "Unknown Message");
      return createThread(ctx, req.params.channel ?? "", { ...req.body, type: ChannelKind.PublicThread }, message.id);
    })
    .add("GET", "/guilds/:guild/threads/active", (req) => {
      if (req.params.guild !== world.guild.id) return apiError(403, 50001, "Missing Access");
      return json(threadList(ctx, (t) => t.guildId === world.guild.id && t.thread?.archived === false));
    })
    .add("GET", "/channels/:channel/threads/archived/public", (req) => {
      const parent = req.params.channel;
      const list = threadList(ctx, (t) => t.parentId === parent && t.thread?.archived === true && t.type !== 12);
      return json({ ...list, has_more: false });
    })
    .add("PUT", "/channels/:channel/thread-members/@me", (req) => {
      const thread = world.channels.get(req.params.channel ?? "");
      if (!thread?.thread) return apiError(404, 10003, "Unknown Channel");
      // Discord refuses to add members to an archived thread: unarchive first.
      if (thread.thread.archived) return apiError(400, 50083, "Operation cannot be performed on an archived thread");
      thread.threadMembers.add(world.bot.id);
      return noContent();
    });
}

function threadList(ctx: FakeContext, keep: (thread: FakeChannel) => boolean) {
  const threads = [...ctx.world.channels.values()].filter((c) => c.thread && keep(c));
  const botId = ctx.world.bot.id;
  return {
    threads: threads.map((t) => channelJson(ctx.world, t)),
    members: threads
      .filter((t) => t.threadMembers.has(botId))
      .map((t) => ({ id: t.id, user_id: botId, join_timestamp: "2026-01-01T00:00:00.000Z", flags: 0 })),
  };
}

function createThread(
  ctx: FakeContext,
  parentId: string,
  body: Record<string, unknown>,
  fromMessage?: string,
): FakeResponse {
  const parent = ctx.world.channels.get(parentId);
  if (!parent) return apiError(404, 10003, "Unknown Channel");
  const forum = parent.type === ChannelKind.Forum;
  if (!forum && parent.type !== ChannelKind.Text && parent.type !== ChannelKind.Announcement) {
    return apiError(400, 50024, "Cannot execute action on this channel type");
  }
  const name = typeof body.name === "string" ? body.name : "";
  if (name.length < 1 || name.length > 100) return apiError(400, 50035, "Invalid Form Body: name");
  const starter = body.message as Record<string, unknown> | undefined;
  if (forum && !starter) return apiError(400, 50035, "Invalid Form Body: message is required in a forum");
  const type = forum ? ChannelKind.PublicThread : Number(body.type ?? ChannelKind.PrivateThread);
  const thread: FakeChannel = {
    id: fromMessage ?? snowflake(),
    type,
    name,
    guildId: parent.guildId,
    parentId,
    ownerId: ctx.world.bot.id,
    thread: { ...threadMeta(false), autoArchiveDuration: Number(body.auto_archive_duration ?? 1440) },
    threadMembers: new Set([ctx.world.bot.id]),
  };
  ctx.world.channels.set(thread.id, thread);
  ctx.gateway.dispatch("THREAD_CREATE", threadEvent(ctx, thread, { newly_created: true }));
  if (!forum || !starter) return json(channelJson(ctx.world, thread), 201);
  const message = postMessage(ctx, { channelId: thread.id, author: ctx.world.bot, body: starter });
  if ("status" in message) return message;
  return json({ ...channelJson(ctx.world, thread), message: messageJson(ctx.world, message) }, 201);
}
