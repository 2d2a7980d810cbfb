import { canonicalKey, invalid, optionalString, requireString, restarting } from "./protocol.ts";
import { newRunId } from "./run.ts";
import type { MethodContext, MethodHandler } from "./session-methods.ts";
import { projectRow } from "./store.ts";

/** chat.send: ack first, then the run streams `chat`/`agent` events; dedupe lives only as long as the boot. */
function chatSend(params: Record<string, unknown>, ctx: MethodContext): unknown {
  const key = canonicalKey(requireString(params, "sessionKey"), ctx.defaultAgentId);
  const idempotencyKey = requireString(params, "idempotencyKey");
  if (typeof params.message !== "string") throw invalid("invalid params: message must be a string");
  const message = params.message;
  const cached = ctx.engine.deduped(idempotencyKey);
  if (cached) return { runId: idempotencyKey, status: cached.state === "done" ? "ok" : "in_flight" };
  if (!ctx.engine.admissionOpen) throw restarting("chat.send");
  const record = ctx.store.get(key) ?? ctx.store.create({ key, createdVia: "run" });
  if (record.restartRecoveryStatus === "tombstoned") {
    throw invalid(`Session "${key}" ended during restart recovery. Use /new or /reset to start a replacement session.`);
  }
  if (record.archived) throw invalid(`Session "${key}" is archived. Restore it before starting new work.`);
  const userRow = { sessionKey: key, message, userKey: `${idempotencyKey}:user`, senderIsOwner: true };
  if (ctx.store.hasUserRow(record, idempotencyKey)) {
    // Re-sent after a restart: the real gateway acks, then fails the run and leaves an error row.
    ctx.engine.submit({ ...userRow, runId: idempotencyKey, kind: "replayed" }, idempotencyKey);
  } else if (ctx.engine.recovering(key)) {
    // Queued behind OpenClaw's recovery run: it runs later under another run id; ours gets an empty final.
    ctx.engine.submit({ ...userRow, runId: newRunId(), kind: "user" }, idempotencyKey);
    ctx.engine.emptyFinal(idempotencyKey, key);
  } else {
    ctx.engine.submit({ ...userRow, runId: idempotencyKey, kind: "user" }, idempotencyKey);
  }
  return { runId: idempotencyKey, status: "started" };
}

/** chat.history: transcript rows (with `__openclaw`), sessionInfo and inFlightRun. */
function chatHistory(params: Record<string, unknown>, ctx: MethodContext): unknown {
  const key = canonicalKey(requireString(params, "sessionKey"), ctx.defaultAgentId);
  const limit = typeof params.limit === "number" ? Math.max(1, Math.min(1000, params.limit)) : 200;
  // `offset` counts rows back from the newest, as on OpenClaw 2026.9.6 (test/e2e/thread-controls-recap).
  const offset = typeof params.offset === "number" ? Math.max(0, Math.floor(params.offset)) : 0;
  const record = ctx.store.get(key);
  if (!record) {
    const sessionInfo = { key, hasActiveRun: false, activeRunIds: [] };
    return { sessionKey: key, messages: [], sessionInfo, pendingInputs: { items: [], total: 0 }, totalMessages: 0 };
  }
  const end = Math.max(0, record.transcript.length - offset);
  const page = record.transcript.slice(Math.max(0, end - limit), end);
  const hasMore = end - page.length > 0;
  const running = ctx.engine.runs(key).find((run) => run.state === "running");
  const inFlightRun = running ? { runId: running.runId, text: running.text, startedAt: running.startedAt } : undefined;
  return {
    sessionKey: key,
    sessionId: record.sessionId,
    messages: structuredClone(page),
    sessionInfo: projectRow(record, ctx.engine.activeRunIds(key)),
    ...(inFlightRun ? { inFlightRun } : {}),
    pendingInputs: { items: [], total: 0 },
    ...(offset > 0 ? { offset } : {}),
    ...(hasMore ? { nextOffset: offset + page.length } : {}),
    hasMore,
    totalMessages: record.transcript.length,
  };
}

/** chat.abort: aborts the session's running run (or `runId`); it ends with chat state "aborted", stopReason "rpc". */
function chatAbort(params: Record<string, unknown>, ctx: MethodContext): unknown {
  const key = canonicalKey(requireString(params, "sessionKey"), ctx.defaultAgentId);
  const runIds = ctx.engine.abort(key, optionalString(params, "runId"), "rpc");
  return { ok: true, aborted: runIds.length > 0, runIds };
}

/** The chat methods of the fake. */
export const chatMethods: Record<string, MethodHandler> = {
  "chat.send": chatSend,
  "chat.history": chatHistory,
  "chat.abort": chatAbort,
};
