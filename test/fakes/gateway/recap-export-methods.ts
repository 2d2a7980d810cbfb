/**
 * The fake's sessions.activitySummary.ensure (issue 13, slice h4), shaped as OpenClaw 2026.9.6 answers it
 * (test/e2e/thread-controls-recap.e2e.test.ts): the answer comes at once with what is cached, and the
 * recap is written shortly after in the background (OpenClaw asks the agent's utility model; the fake
 * writes a deterministic line). A child made with sessions.create parentSessionKey is recapped too, as in
 * OpenClaw (only sub-agent spawns, `spawnedBy`, are not).
 */
import { canonicalKey, invalid } from "./protocol.ts";
import type { MethodContext, MethodHandler } from "./session-methods.ts";
import type { SessionRecord } from "./store.ts";

/** What the fake has written for a session: the recap and how many rows it covered. */
interface FakeRecap {
  text: string;
  updatedAt: number;
  covered: number;
}

const recaps = new WeakMap<SessionRecord, FakeRecap>();
const writing = new WeakSet<SessionRecord>();

/** How long the fake's "utility model" takes to write a recap. */
export const FAKE_RECAP_DELAY_MS = 20;

/** The recap the fake writes: recognisable, from the rows it covers. */
export function fakeRecapText(record: SessionRecord): string {
  const last = [...record.transcript].reverse().find((row) => row.role === "user");
  const said = typeof last?.content === "string" ? last.content : (last?.content[0]?.text ?? "");
  return `Summary of ${record.transcript.length} messages; last asked: ${said.slice(0, 60)}`;
}

function summaryOf(record: SessionRecord): Record<string, unknown> {
  const recap = recaps.get(record);
  const current = recap !== undefined && recap.covered === record.transcript.length;
  if (!current && !writing.has(record)) {
    writing.add(record);
    setTimeout(() => {
      writing.delete(record);
      const text = record.transcript.length > 0 ? fakeRecapText(record) : "";
      recaps.set(record, { text, updatedAt: Date.now(), covered: record.transcript.length });
    }, FAKE_RECAP_DELAY_MS);
  }
  return {
    state: current ? "current" : "updating",
    // OpenClaw writes an empty recap for a session with no messages, and shows none.
    ...(recap?.text ? { text: recap.text, updatedAt: recap.updatedAt } : {}),
    canEnsure: true,
  };
}

/** sessions.activitySummary.ensure: 1–20 sessions, all authorized before any is queued. */
function ensure(params: Record<string, unknown>, ctx: MethodContext): unknown {
  const sessions = params.sessions;
  if (!Array.isArray(sessions) || sessions.length < 1 || sessions.length > 20) {
    throw invalid("invalid sessions.activitySummary.ensure params: sessions must have 1-20 entries");
  }
  const records = sessions.map((entry: { key?: unknown }) => {
    if (typeof entry?.key !== "string" || entry.key === "") throw invalid("invalid params: key required");
    const record = ctx.store.get(canonicalKey(entry.key, ctx.defaultAgentId));
    if (!record) throw invalid("Session is unavailable.");
    return record;
  });
  return {
    sessions: records.map((record) => ({
      key: record.key,
      agentId: record.agentId,
      activitySummary: summaryOf(record),
    })),
  };
}

/** The recap methods of the fake. */
export const recapExportMethods: Record<string, MethodHandler> = {
  "sessions.activitySummary.ensure": ensure,
};
