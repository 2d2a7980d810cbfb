/**
 * models.list, sessions.patch { model }, sessions.describe and sessions.usage as OpenClaw 2026.9.6 answers
 * them (observed in test/e2e/thread-controls-model.e2e.test.ts; docs/openclaw-model-usage.md):
 * - the catalog is two models of provider `fake`, priced per million tokens like the e2e config;
 * - sessions.patch takes any model id, in the catalog or not (the bot checks the catalog itself);
 * - sessions.describe answers `{ session: null }` for an unknown key; its row carries the selected model
 *   and the last run's inputTokens / outputTokens / estimatedCostUsd;
 * - sessions.usage is a closed object; an unknown `key` is INVALID_REQUEST "Invalid session reference";
 *   a session that never ran has `usage: null`;
 * - a transcript not counted since it last changed answers `usage: null` with `cacheStatus.status:
 *   "refreshing"` the first time it is asked about (OpenClaw counts it in the background, about 2.5 s
 *   live); the fake has counted it by the next request.
 * Usage is derived from the transcript: each assistant row is one model call of 10 input tokens and
 * ceil(length / 4) output tokens (as the e2e fake model reports), priced by the model in effect when the
 * row was written.
 */
import { canonicalKey, invalid, optionalString, requireString } from "./protocol.ts";
import { type MethodContext, type MethodHandler, sessionMethods } from "./session-methods.ts";
import { projectRow, type SessionRecord, type SessionStore, type TranscriptRow } from "./store.ts";

/** USD per million tokens. */
const CATALOG = [
  { id: "echo-1", name: "Echo 1", provider: "fake", price: { input: 100, output: 200 } },
  { id: "echo-2", name: "Echo 2", provider: "fake", price: { input: 1000, output: 2000 } },
];
const DEFAULT_MODEL = "fake/echo-1";
const USAGE_PARAMS = new Set(["key", "agentId", "agentScope", "startDate", "endDate", "mode", "range", "limit"]);

/** How long each session's transcript was when sessions.usage last counted it. */
const counted = new WeakMap<SessionStore, Map<string, number>>();

/** True when the transcript changed since it was last counted (and counts it now, for the next request). */
function needsCounting(store: SessionStore, record: SessionRecord): boolean {
  const byKey = counted.get(store) ?? new Map<string, number>();
  counted.set(store, byKey);
  const fresh = byKey.get(record.key) === record.transcript.length;
  byKey.set(record.key, record.transcript.length);
  return !fresh && record.transcript.length > 0;
}

/** When each session's model changed (durable like the store: keyed by it, so restarts keep it). */
const switches = new WeakMap<SessionStore, Map<string, { at: number; model: string }[]>>();

function switchesOf(store: SessionStore, key: string): { at: number; model: string }[] {
  const byKey = switches.get(store) ?? new Map<string, { at: number; model: string }[]>();
  switches.set(store, byKey);
  const list = byKey.get(key) ?? [];
  byKey.set(key, list);
  return list;
}

function modelAt(store: SessionStore, key: string, at: number): string {
  return switchesOf(store, key).findLast((s) => s.at <= at)?.model ?? DEFAULT_MODEL;
}

function rowUsage(store: SessionStore, record: SessionRecord, row: TranscriptRow) {
  const text = typeof row.content === "string" ? row.content : row.content.map((c) => c.text).join("");
  const input = 10;
  const output = Math.max(1, Math.ceil(text.length / 4));
  const ref = modelAt(store, record.key, row.timestamp);
  const price = CATALOG.find((m) => `${m.provider}/${m.id}` === ref)?.price;
  const cost = price ? (input * price.input + output * price.output) / 1e6 : 0;
  return { input, output, cost, missing: price ? 0 : 1 };
}

function requireRecord(params: Record<string, unknown>, ctx: MethodContext): SessionRecord {
  const key = canonicalKey(requireString(params, "key"), ctx.defaultAgentId);
  const record = ctx.store.get(key);
  if (!record) throw invalid(`session not found: ${key}`);
  return record;
}

/** sessions.patch: `model` here; label and archived as before (one request may carry both). */
function sessionsPatch(params: Record<string, unknown>, ctx: MethodContext): unknown {
  if (!("model" in params)) return sessionMethods["sessions.patch"]?.(params, ctx);
  const model = params.model;
  if (typeof model !== "string" || model.length === 0)
    throw invalid("invalid params: model must be a non-empty string");
  const record = requireRecord(params, ctx);
  const rest = Object.fromEntries(Object.entries(params).filter(([name]) => name !== "model"));
  if (Object.keys(rest).length > 1) sessionMethods["sessions.patch"]?.(rest, ctx);
  // A bare id keeps the session's provider, as OpenClaw resolves it.
  const ref = model.includes("/") ? model : `${modelAt(ctx.store, record.key, Date.now()).split("/")[0]}/${model}`;
  switchesOf(ctx.store, record.key).push({ at: Date.now(), model: ref });
  record.updatedAt = Date.now();
  ctx.engine.changed(record, "patch");
  const [modelProvider, id] = ref.split("/");
  return { ok: true, key: record.key, entry: projectRow(record, []), resolved: { modelProvider, model: id } };
}

/** sessions.describe: the row with its model and last run's usage, or `{ session: null }`. */
function sessionsDescribe(params: Record<string, unknown>, ctx: MethodContext): unknown {
  const key = canonicalKey(requireString(params, "key"), ctx.defaultAgentId);
  const record = ctx.store.get(key);
  if (!record) return { session: null };
  const [modelProvider, model] = modelAt(ctx.store, key, Date.now()).split("/");
  const row = { ...projectRow(record, ctx.engine.activeRunIds(key)), modelProvider, model };
  const last = record.transcript.findLast((r) => r.role === "assistant");
  if (!last) return { session: row };
  const usage = rowUsage(ctx.store, record, last);
  return {
    session: { ...row, inputTokens: usage.input, outputTokens: usage.output, estimatedCostUsd: usage.cost },
  };
}

function totals(store: SessionStore, record: SessionRecord) {
  const rows = record.transcript.filter((r) => r.role === "assistant").map((r) => rowUsage(store, record, r));
  if (rows.length === 0) return null;
  const input = rows.reduce((sum, r) => sum + r.input, 0);
  const output = rows.reduce((sum, r) => sum + r.output, 0);
  const totalCost = rows.reduce((sum, r) => sum + r.cost, 0);
  const missingCostEntries = rows.reduce((sum, r) => sum + r.missing, 0);
  return { input, output, cacheRead: 0, cacheWrite: 0, totalTokens: input + output, totalCost, missingCostEntries };
}

/** sessions.usage: one session by `key`, or the agent's sessions most recent first (`limit`, default 50). */
function sessionsUsage(params: Record<string, unknown>, ctx: MethodContext): unknown {
  for (const name of Object.keys(params))
    if (!USAGE_PARAMS.has(name)) throw invalid(`invalid sessions.usage params: unexpected property '${name}'`);
  const rawKey = optionalString(params, "key");
  const limit = typeof params.limit === "number" ? params.limit : 50;
  let records: SessionRecord[];
  if (rawKey) {
    const record = ctx.store.get(canonicalKey(rawKey, ctx.defaultAgentId));
    if (!record) throw invalid(`Invalid session reference: ${rawKey}`);
    records = [record];
  } else {
    const agentId = optionalString(params, "agentId") ?? ctx.defaultAgentId;
    records = ctx.store
      .all()
      .filter((r) => r.agentId === agentId)
      .slice(0, limit);
  }
  const pending = new Set(records.filter((r) => needsCounting(ctx.store, r)).map((r) => r.key));
  const sessions = records.map((r) => ({
    key: r.key,
    label: r.label,
    sessionId: r.sessionId,
    usage: pending.has(r.key) ? null : totals(ctx.store, r),
  }));
  const status = pending.size > 0 ? "refreshing" : "fresh";
  const files = { cachedFiles: sessions.length - pending.size, pendingFiles: pending.size, staleFiles: pending.size };
  return { sessions, cacheStatus: { status, ...files } };
}

/** The fake's model and usage methods (registered in server.ts after sessionMethods: sessions.patch is wrapped). */
export const modelUsageMethods: Record<string, MethodHandler> = {
  "models.list": () => ({ models: CATALOG.map(({ price: _price, ...m }) => ({ ...m, available: true })) }),
  "sessions.patch": sessionsPatch,
  "sessions.describe": sessionsDescribe,
  "sessions.usage": sessionsUsage,
};
