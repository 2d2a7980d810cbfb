import type { Editable, FakeContext, InteractionMessage, InteractionRecord } from "./context.ts";
import { apiError, type FakeRequest, type FakeResponse, json, noContent, type Router, tooLong } from "./http.ts";
import { interactionMessageJson } from "./json.ts";
import { MAX_CONTENT } from "./rest-messages.ts";
import { snowflake } from "./world.ts";

const EPHEMERAL = 1 << 6;

/**
 * Interaction callbacks (no bot token; 204 without content type; 3 s deadline; acknowledged once)
 * and the interaction webhook (original response and followups; token valid 15 minutes).
 */
export function addInteractionRoutes(router: Router, ctx: FakeContext): void {
  const open = { auth: false };
  router
    .add("POST", "/interactions/:id/:token/callback", (req) => callback(ctx, req), open)
    .add("PATCH", "/webhooks/:app/:token/messages/:message", (req) => withToken(ctx, req, editMessage), open)
    .add("DELETE", "/webhooks/:app/:token/messages/:message", (req) => withToken(ctx, req, deleteMessage), open)
    .add("POST", "/webhooks/:app/:token", (req) => withToken(ctx, req, followup), open);
}

function callback(ctx: FakeContext, req: FakeRequest): FakeResponse {
  const record = ctx.interactions.get(req.params.id ?? "");
  if (!record || record.token !== req.params.token) return apiError(404, 10062, "Unknown interaction");
  if (ctx.now() > record.createdAt + ctx.interactionDeadlineMs) return apiError(404, 10062, "Unknown interaction");
  if (record.callbacks.length > 0) return apiError(400, 40060, "Interaction has already been acknowledged.");
  const type = Number(req.body?.type);
  const data = (req.body?.data ?? undefined) as Record<string, unknown> | undefined;
  const problem = checkCallback(type, data);
  if (problem) return problem;
  record.callbacks.push({ type, ...(data ? { data } : {}) });
  if (type === 4 || type === 5) {
    record.original = newMessage(type === 4 ? String(data?.content ?? "") : "", data);
    record.pendingDefer = type === 5;
  } else if (type === 7 && record.carrier) {
    applyEdit(record.carrier, data ?? {});
  } else if (type === 8) {
    record.choices = (data?.choices ?? []) as { name: string; value: string }[];
  }
  if (req.query.get("with_response") !== "true") return noContent();
  return json({ interaction: { id: record.id, type: record.type }, resource: { type } });
}

function checkCallback(type: number, data: Record<string, unknown> | undefined): FakeResponse | undefined {
  if (![4, 5, 6, 7, 8].includes(type)) return apiError(400, 50035, "Invalid Form Body: type");
  if (typeof data?.content === "string" && data.content.length > MAX_CONTENT) return tooLong();
  if (type !== 8) return undefined;
  const choices = (data?.choices ?? []) as { name?: unknown; value?: unknown }[];
  const bad = (v: unknown) => typeof v !== "string" || v.length < 1 || v.length > 100;
  if (choices.length > 25 || choices.some((c) => bad(c.name) || bad(c.value))) {
    return apiError(400, 50035, "Invalid Form Body: choices");
  }
  return undefined;
}

type TokenHandler = (ctx: FakeContext, record: InteractionRecord, req: FakeRequest) => FakeResponse;

function withToken(ctx: FakeContext, req: FakeRequest, handler: TokenHandler): FakeResponse {
  if (req.params.app !== ctx.world.bot.id) return apiError(404, 10015, "Unknown Webhook");
  const record = [...ctx.interactions.values()].find((r) => r.token === req.params.token);
  if (!record) return apiError(404, 10015, "Unknown Webhook");
  if (ctx.now() > record.createdAt + ctx.tokenTtlMs) return apiError(401, 50027, "Invalid Webhook Token");
  if (record.callbacks.length === 0) return apiError(404, 10015, "Unknown Webhook");
  return handler(ctx, record, req);
}

function editMessage(ctx: FakeContext, record: InteractionRecord, req: FakeRequest): FakeResponse {
  const body = req.body ?? {};
  if (typeof body.content === "string" && body.content.length > MAX_CONTENT) return tooLong();
  const ackType = record.callbacks[0]?.type;
  if (req.params.message === "@original" && (ackType === 6 || ackType === 7) && record.carrier) {
    // After deferUpdate/update, "@original" is the message that carried the button.
    applyEdit(record.carrier, body);
    return json({ id: record.messageId, channel_id: record.channelId, content: record.carrier.content });
  }
  const target =
    req.params.message === "@original" ? record.original : record.followups.find((m) => m.id === req.params.message);
  if (!target || target.deleted) return apiError(404, 10008, "Unknown Message");
  applyEdit(target, body);
  if (target === record.original) record.pendingDefer = false;
  return json(interactionMessageJson(ctx.world, record.channelId, target));
}

/** Applies new content/components, keeping the old content in the edit history. */
function applyEdit(target: Editable, body: Record<string, unknown>): void {
  if (typeof body.content === "string") {
    target.edits.push(target.content);
    target.content = body.content;
  }
  if (Array.isArray(body.components)) target.components = body.components;
}

function deleteMessage(_ctx: FakeContext, record: InteractionRecord, req: FakeRequest): FakeResponse {
  const target =
    req.params.message === "@original" ? record.original : record.followups.find((m) => m.id === req.params.message);
  if (!target || target.deleted) return apiError(404, 10008, "Unknown Message");
  target.deleted = true;
  if (target === record.original) record.pendingDefer = false;
  return noContent();
}

function followup(ctx: FakeContext, record: InteractionRecord, req: FakeRequest): FakeResponse {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const content = typeof body.content === "string" ? body.content : "";
  if (content.length > MAX_CONTENT) return tooLong();
  if (content.length === 0 && !Array.isArray(body.components))
    return apiError(400, 50006, "Cannot send an empty message");
  // Discord: the first followup after a defer fills in the "thinking" message, keeping the defer's flags.
  if (record.pendingDefer && record.original && !record.original.deleted) {
    record.original.edits.push(record.original.content);
    record.original.content = content;
    record.pendingDefer = false;
    return json(interactionMessageJson(ctx.world, record.channelId, record.original));
  }
  const message = newMessage(content, body);
  record.followups.push(message);
  return json(interactionMessageJson(ctx.world, record.channelId, message));
}

function newMessage(content: string, data: Record<string, unknown> | undefined): InteractionMessage {
  return {
    id: snowflake(),
    content,
    flags: Number(data?.flags ?? 0) & EPHEMERAL,
    components: Array.isArray(data?.components) ? data.components : [],
    edits: [],
    deleted: false,
  };
}
