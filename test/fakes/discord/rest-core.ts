import { commandProblem } from "./command-rules.ts";
import type { FakeContext } from "./context.ts";
import { threadEvent } from "./events.ts";
import { apiError, json, noContent, type Router } from "./http.ts";
import { channelJson, memberJson, userJson } from "./json.ts";
import { dmChannelFor, snowflake } from "./world.ts";

/** Login, identity, commands, channels, DMs, members and typing. */
export function addCoreRoutes(router: Router, ctx: FakeContext): void {
  const { world } = ctx;
  router
    .add("GET", "/gateway/bot", () =>
      json({
        url: `${ctx.origin().replace(/^http/, "ws")}/gateway`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      }),
    )
    .add("GET", "/users/@me", () => json(userJson(world.bot)))
    .add("PUT", "/applications/:app/commands", (req) => putCommands(ctx, req.params.app, undefined, req.body))
    .add("PUT", "/applications/:app/guilds/:guild/commands", (req) =>
      putCommands(ctx, req.params.app, req.params.guild, req.body),
    )
    .add("POST", "/users/@me/channels", (req) => {
      const userId = String(req.body?.recipient_id ?? "");
      if (!world.users.has(userId)) return apiError(400, 50033, "Invalid Recipient(s)");
      return json(channelJson(world, dmChannelFor(world, userId)));
    })
    .add("GET", "/guilds/:guild/members/:user", (req) => {
      const known =
        req.params.guild === world.guild.id && world.guild.members.some((m) => m.userId === req.params.user);
      return known ? json(memberJson(world, req.params.user ?? "")) : apiError(404, 10007, "Unknown Member");
    })
    .add("POST", "/channels/:channel/typing", (req) =>
      world.channels.has(req.params.channel ?? "") ? noContent() : apiError(404, 10003, "Unknown Channel"),
    )
    .add("GET", "/channels/:channel", (req) => {
      const channel = world.channels.get(req.params.channel ?? "");
      return channel ? json(channelJson(world, channel)) : apiError(404, 10003, "Unknown Channel");
    })
    .add("PATCH", "/channels/:channel", (req) => patchChannel(ctx, req.params.channel ?? "", req.body ?? {}));
}

function patchChannel(ctx: FakeContext, id: string, body: Record<string, unknown>) {
  const channel = ctx.world.channels.get(id);
  if (!channel) return apiError(404, 10003, "Unknown Channel");
  if (typeof body.name === "string") {
    // Discord's limit on channel and thread names (code points here; Discord counts characters).
    if ([...body.name].length < 1 || [...body.name].length > 100) return apiError(400, 50035, "Invalid Form Body");
    channel.name = body.name;
  }
  if (channel.thread) {
    if (typeof body.archived === "boolean") channel.thread.archived = body.archived;
    if (typeof body.locked === "boolean") channel.thread.locked = body.locked;
    if (typeof body.auto_archive_duration === "number") channel.thread.autoArchiveDuration = body.auto_archive_duration;
    channel.thread.archivedAt = new Date(ctx.now()).toISOString();
    ctx.gateway.dispatch("THREAD_UPDATE", threadEvent(ctx, channel));
  }
  return json(channelJson(ctx.world, channel));
}

function putCommands(ctx: FakeContext, app: string | undefined, guild: string | undefined, body: unknown) {
  if (app !== ctx.world.bot.id) return apiError(403, 50001, "Missing Access");
  if (guild !== undefined && guild !== ctx.world.guild.id) return apiError(403, 50001, "Missing Access");
  if (!Array.isArray(body)) return apiError(400, 50035, "Invalid Form Body");
  const names = body.map((command: Record<string, unknown>) => String(command.name));
  if (new Set(names).size !== names.length) return apiError(400, 50035, "Invalid Form Body: duplicate command names");
  const problem = body.map(commandProblem).find((p) => p !== undefined);
  if (problem) return apiError(400, 50035, `Invalid Form Body: ${problem}`);
  const stored = body.map((command: Record<string, unknown>) => ({
    ...command,
    id: snowflake(),
    application_id: app,
    version: snowflake(),
    ...(guild ? { guild_id: guild } : {}),
  }));
  if (guild) ctx.commands.guilds.set(guild, stored);
  else ctx.commands.global = stored;
  return json(stored);
}
