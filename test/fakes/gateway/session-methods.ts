import type { FakeApprovalRegistry } from "./approvals.ts";
import { agentOf, canonicalKey, invalid, optionalString, parseLabel, requireString, uuid } from "./protocol.ts";
import type { RunEngine } from "./runs.ts";
import { projectRow, type SessionRecord, type SessionStore } from "./store.ts";

/** What a method handler works on: the durable store and the current boot's runs. */
export interface MethodContext {
  store: SessionStore;
  engine: RunEngine;
  approvals: FakeApprovalRegistry;
  defaultAgentId: string;
  /** The calling connection's session-event subscription. */
  connection: { subscribed: boolean };
}

/** A gateway method of the fake. */
export type MethodHandler = (params: Record<string, unknown>, ctx: MethodContext) => unknown;

const ROLLOVER_PROMPT = "[System] Continue from the recovered transcript and finish the interrupted work.";

function row(record: SessionRecord, ctx: MethodContext): Record<string, unknown> {
  return projectRow(record, ctx.engine.activeRunIds(record.key));
}

function spawnDepthOf(params: Record<string, unknown>): number | undefined {
  const value = params.spawnDepth;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw invalid("invalid params: spawnDepth must be an integer >= 1");
  }
  return value;
}

/** sessions.create: creates or adopts `key` (a dashboard key without one). */
function sessionsCreate(params: Record<string, unknown>, ctx: MethodContext): unknown {
  const agentId = optionalString(params, "agentId") ?? ctx.defaultAgentId;
  const rawKey = optionalString(params, "key");
  const key = rawKey ? canonicalKey(rawKey, agentId) : `agent:${agentId}:dashboard:${uuid()}`;
  const label = params.label === undefined || params.label === null ? undefined : parseLabel(params.label);
  const parent = optionalString(params, "parentSessionKey");
  const spawnDepth = spawnDepthOf(params);
  if (spawnDepth !== undefined && !parent) throw invalid("spawnDepth requires parentSessionKey");
  if (label) ctx.store.assertLabelFree(agentOf(key), label, key);
  let record = ctx.store.get(key);
  const reason = record ? "update" : "create";
  if (record) {
    if (label) record.label = label;
  } else {
    const parentSessionKey = parent ? canonicalKey(parent, agentId) : undefined;
    // OpenClaw refuses a child of a session that does not exist (test/e2e/confirm-costs, 4b).
    if (parentSessionKey && !ctx.store.get(parentSessionKey))
      throw invalid(`unknown parent session: ${parentSessionKey}`);
    record = ctx.store.create({ key, label, parentSessionKey, spawnDepth, createdVia: "operator" });
  }
  ctx.engine.changed(record, reason);
  const resolved = { modelProvider: "fake", model: "echo-1" };
  return { ok: true, key, sessionId: record.sessionId, entry: row(record, ctx), runStarted: false, resolved };
}

/** sessions.patch of label and archived; a patch on a missing key creates the row. */
function sessionsPatch(params: Record<string, unknown>, ctx: MethodContext): unknown {
  const key = canonicalKey(requireString(params, "key"), ctx.defaultAgentId);
  let record = ctx.store.get(key);
  const archived = params.archived;
  if (archived !== undefined) {
    if (typeof archived !== "boolean") throw invalid("invalid params: archived must be a boolean");
    const expected = optionalString(params, "expectedSessionId");
    if (!expected) throw invalid(`expectedSessionId required for session lifecycle patch: ${key}`);
    if (!record) throw invalid(`session not found: ${key}`);
    if (expected !== record.sessionId) throw invalid(`session changed: ${key}`, { reason: "session-changed" });
  }
  const hasLabel = "label" in params && params.label !== undefined;
  const label = hasLabel && params.label !== null ? parseLabel(params.label) : undefined;
  if (label) ctx.store.assertLabelFree(agentOf(key), label, key);
  record ??= ctx.store.create({ key, createdVia: "patch" });
  if (hasLabel) record.label = label;
  if (typeof archived === "boolean") {
    record.archived = archived;
    record.archivedAt = archived ? Date.now() : undefined;
    record.archiveReason = archived ? "manual" : undefined;
  }
  record.updatedAt = Date.now();
  ctx.engine.changed(record, archived === true ? "archive" : "patch");
  return { ok: true, key, entry: row(record, ctx) };
}

function archivedFilter(value: unknown): (record: SessionRecord) => boolean {
  if (value === "all") return () => true;
  if (value === true) return (record) => record.archived;
  return (record) => !record.archived;
}

/** sessions.list with the label (exact), search (substring), archived and limit filters. */
function sessionsList(params: Record<string, unknown>, ctx: MethodContext): unknown {
  const label = optionalString(params, "label");
  const search = optionalString(params, "search")?.toLowerCase();
  const agentId = optionalString(params, "agentId");
  const keep = archivedFilter(params.archived);
  const matches = ctx.store.all().filter((record) => {
    if (!keep(record)) return false;
    if (agentId && record.agentId !== agentId) return false;
    if (label !== undefined && record.label !== label) return false;
    if (search && !`${record.key} ${record.label ?? ""}`.toLowerCase().includes(search)) return false;
    return true;
  });
  const limit = typeof params.limit === "number" && params.limit >= 1 ? params.limit : matches.length;
  const sessions = matches.slice(0, limit).map((record) => row(record, ctx));
  const hasMore = matches.length > sessions.length;
  return { ts: Date.now(), path: "fake", count: sessions.length, totalCount: matches.length, hasMore, sessions };
}

/** The person's last message in a transcript (rows OpenClaw wrote itself are skipped). */
export function lastOwnerText(record: SessionRecord): string | undefined {
  for (let i = record.transcript.length - 1; i >= 0; i -= 1) {
    const item = record.transcript[i];
    if (item?.role === "user" && item.__openclaw.senderIsOwner !== false && typeof item.content === "string") {
      return item.content;
    }
  }
  return undefined;
}

/** sessions.recover: moves a tombstoned session's transcript to a new dashboard session and continues it. */
function sessionsRecover(params: Record<string, unknown>, ctx: MethodContext): unknown {
  const key = canonicalKey(requireString(params, "key"), ctx.defaultAgentId);
  const source = ctx.store.get(key);
  if (!source) throw invalid("Session recovery source was not found.");
  const done = source.recoveredTo;
  if (done) return { ok: true, key: done.key, sessionId: done.sessionId, continuation: started(done.runId) };
  if (source.restartRecoveryStatus !== "tombstoned") {
    throw invalid("Session recovery requires a restart-tombstoned session.");
  }
  const target = ctx.store.create({ key: `agent:${source.agentId}:dashboard:${uuid()}`, createdVia: "operator" });
  target.transcript = structuredClone(source.transcript);
  source.archived = true;
  source.archivedAt = Date.now();
  source.archiveReason = "restart-recovery";
  const runId = `restart-recovery-rollover:${target.sessionId}`;
  source.recoveredTo = { key: target.key, sessionId: target.sessionId, runId };
  ctx.engine.changed(source, "archive");
  ctx.engine.changed(target, "create");
  ctx.engine.submit({
    runId,
    sessionKey: target.key,
    kind: "rollover",
    message: ROLLOVER_PROMPT,
    userKey: `${runId}:user`,
    senderIsOwner: false,
    interrupted: lastOwnerText(source),
  });
  return { ok: true, key: target.key, sessionId: target.sessionId, continuation: started(runId) };
}

/** sessions.subscribe: this connection gets sessions.changed from now on; returns the list. */
function sessionsSubscribe(params: Record<string, unknown>, ctx: MethodContext): unknown {
  ctx.connection.subscribed = true;
  return { subscribed: true, list: sessionsList(params, ctx) };
}

/** sessions.unsubscribe: stops sessions.changed for this connection. */
function sessionsUnsubscribe(_params: Record<string, unknown>, ctx: MethodContext): unknown {
  ctx.connection.subscribed = false;
  return { subscribed: false };
}

function started(runId: string): Record<string, unknown> {
  return { status: "started", runId };
}

/** The session methods of the fake. */
export const sessionMethods: Record<string, MethodHandler> = {
  "sessions.create": sessionsCreate,
  "sessions.patch": sessionsPatch,
  "sessions.list": sessionsList,
  "sessions.recover": sessionsRecover,
  "sessions.subscribe": sessionsSubscribe,
  "sessions.unsubscribe": sessionsUnsubscribe,
};
