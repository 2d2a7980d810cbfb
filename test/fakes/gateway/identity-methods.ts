import { agentOf, canonicalKey, FakeRpcError, invalid, optionalString, requireString } from "./protocol.ts";
import { type MethodContext, type MethodHandler, sessionMethods } from "./session-methods.ts";
import { projectRow, type SessionRecord, type TranscriptRow } from "./store.ts";

/**
 * sessions.create with `fork`, sessions.reset and sessions.delete, as OpenClaw 2026.9.6 answers them
 * (docs/openclaw-thread-identity.md; test/e2e/thread-controls-identity.e2e.test.ts checks the real one).
 */

const plainCreate = sessionMethods["sessions.create"] as MethodHandler;

/** The rows a fork copies: all of them, or through the last assistant row (`forkFrom: "last-completed"`). */
function forkedRows(parent: SessionRecord, lastCompleted: boolean): TranscriptRow[] {
  if (!lastCompleted) return structuredClone(parent.transcript);
  const last = parent.transcript.findLastIndex((row) => row.role === "assistant");
  return structuredClone(parent.transcript.slice(0, last + 1));
}

/** sessions.create `{ parentSessionKey, fork: true }`: a child whose transcript starts as the parent's. */
function sessionsCreate(params: Record<string, unknown>, ctx: MethodContext): unknown {
  if (params.forkFrom !== undefined && params.fork !== true) throw invalid("forkFrom requires fork=true");
  if (params.fork !== true) return plainCreate(params, ctx);
  if (params.forkFrom !== undefined && params.forkFrom !== "last-completed") throw invalid("invalid params: forkFrom");
  const agentId = optionalString(params, "agentId") ?? ctx.defaultAgentId;
  const parentKey = optionalString(params, "parentSessionKey");
  if (!parentKey) throw invalid("fork requires parentSessionKey");
  const parent = ctx.store.get(canonicalKey(parentKey, agentId));
  if (!parent) throw invalid(`unknown parent session: ${parentKey}`);
  const lastCompleted = params.forkFrom === "last-completed";
  if (!lastCompleted && ctx.engine.activeRunIds(parent.key).length > 0) {
    throw new FakeRpcError("UNAVAILABLE", `Parent session ${parentKey} is still active; try again in a moment.`);
  }
  const created = plainCreate({ ...params, fork: undefined, forkFrom: undefined }, ctx) as { key: string };
  const child = ctx.store.get(created.key) as SessionRecord;
  child.transcript = forkedRows(parent, lastCompleted);
  child.parentSessionKey = parent.key;
  return { ...(created as object), entry: { ...projectRow(child, []), forkedFromParent: true } };
}

/** sessions.reset: stops the session's work and empties the transcript in place (same key, same sessionId). */
function sessionsReset(params: Record<string, unknown>, ctx: MethodContext): unknown {
  const key = canonicalKey(requireString(params, "key"), ctx.defaultAgentId);
  const record = ctx.store.get(key);
  if (!record) throw invalid(`session not found: ${key}`);
  const expected = optionalString(params, "expectedSessionId");
  if (expected && expected !== record.sessionId) {
    throw invalid(`Session ${key} changed before reset. Retry.`, { reason: "session-changed" });
  }
  ctx.engine.abort(key);
  record.transcript = [];
  record.abortedLastRun = false;
  record.updatedAt = Date.now();
  ctx.engine.changed(record, "reset");
  return { ok: true, key, entry: projectRow(record, []) };
}

/** sessions.delete: stops the session's work, removes the row; `deleted: false` when there was none. */
function sessionsDelete(params: Record<string, unknown>, ctx: MethodContext): unknown {
  const key = canonicalKey(requireString(params, "key"), ctx.defaultAgentId);
  if (key === `agent:${agentOf(key)}:main`) throw invalid(`Cannot delete the main session (${key}).`);
  const record = ctx.store.get(key);
  if (!record) return { ok: true, key, deleted: false, archived: [] };
  ctx.engine.abort(key);
  ctx.store.delete(key);
  ctx.engine.changed({ ...record, archived: true }, "delete");
  return { ok: true, key, deleted: true, archived: [`${record.sessionId}.jsonl.deleted`] };
}

/** The identity slice's methods, spread into the fake's method table after the others. */
export const identityMethods: Record<string, MethodHandler> = {
  "sessions.create": sessionsCreate,
  "sessions.reset": sessionsReset,
  "sessions.delete": sessionsDelete,
};
