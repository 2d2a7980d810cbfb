import { z } from "zod";
import type { AgentMedia, ChatHistory, HistoryMessage, SessionInfo } from "../core/ports.ts";
import { ChatMessageSchema, lenient, messageText } from "./frames.ts";
import { mediaParts } from "./media.ts";

/** Schemas of the method results we read, and their mapping onto the port's types. */

/** A session row (sessions.list rows, chat.history sessionInfo, sessions.changed session). */
export const SessionRowSchema = z.looseObject({
  key: lenient(z.string()),
  sessionId: lenient(z.string()),
  label: lenient(z.string()),
  archived: lenient(z.boolean()),
  status: lenient(z.string()),
  hasActiveRun: lenient(z.boolean()),
  // Observed as an array, as null, and absent; absent/null means "unknown", not "idle".
  activeRunIds: lenient(z.array(z.string())),
  abortedLastRun: lenient(z.boolean()),
  restartRecoveryStatus: lenient(z.string()),
  parentSessionKey: lenient(z.string()),
  spawnDepth: lenient(z.number()),
  updatedAt: lenient(z.number()),
});
export type SessionRow = z.infer<typeof SessionRowSchema>;

/** Maps a parsed row onto SessionInfo, keeping only the fields the core reads. */
export function toSessionInfo(row: SessionRow, fallbackKey: string): SessionInfo {
  return {
    key: row.key ?? fallbackKey,
    sessionId: row.sessionId,
    label: row.label,
    archived: row.archived,
    status: row.status,
    hasActiveRun: row.hasActiveRun,
    activeRunIds: row.activeRunIds,
    abortedLastRun: row.abortedLastRun,
    restartRecoveryStatus: row.restartRecoveryStatus,
    parentSessionKey: row.parentSessionKey,
    spawnDepth: row.spawnDepth,
    updatedAt: row.updatedAt,
  };
}

/** sessions.create result. */
export const SessionsCreateResultSchema = z.looseObject({
  key: z.string(),
  sessionId: z.string(),
  entry: lenient(z.looseObject({ label: lenient(z.string()) })),
});

/** sessions.list result; a row without `key` is unusable and dropped. */
export const SessionsListResultSchema = z.looseObject({
  sessions: z.array(z.unknown()),
});

/** Parses list rows one by one so one odd row does not hide the others. */
export function parseSessionRows(rows: unknown[]): SessionInfo[] {
  const out: SessionInfo[] = [];
  for (const raw of rows) {
    const row = SessionRowSchema.safeParse(raw);
    if (row.success && row.data.key) out.push(toSessionInfo(row.data, row.data.key));
  }
  return out;
}

/** chat.send ack: {runId: idempotencyKey, status: "started" | "ok" | "in_flight"}. */
export const ChatSendResultSchema = z.looseObject({
  runId: z.string(),
  status: z.string(),
});

const OpenClawMetaSchema = z.looseObject({
  id: lenient(z.string()),
  seq: lenient(z.number()),
  runId: lenient(z.string()),
  idempotencyKey: lenient(z.string()),
  senderIsOwner: lenient(z.boolean()),
});

const HistoryRowSchema = ChatMessageSchema.extend({
  stopReason: lenient(z.string()),
  __openclaw: lenient(OpenClawMetaSchema),
});

/** chat.history result. */
export const ChatHistoryResultSchema = z.looseObject({
  sessionKey: lenient(z.string()),
  sessionId: lenient(z.string()),
  messages: z.array(z.unknown()).catch([]),
  sessionInfo: lenient(SessionRowSchema),
  inFlightRun: lenient(z.looseObject({ runId: z.string() })),
});

/** Maps transcript rows; a row without `__openclaw.seq` takes the next number after the previous row's. */
export function toHistoryMessages(rows: unknown[]): HistoryMessage[] {
  const out: HistoryMessage[] = [];
  let lastSeq = 0;
  for (const raw of rows) {
    const parsed = HistoryRowSchema.safeParse(raw);
    if (!parsed.success) continue;
    const row = parsed.data;
    const meta = row.__openclaw;
    const seq = meta?.seq ?? lastSeq + 1;
    lastSeq = seq;
    out.push({
      role: row.role ?? "unknown",
      text: messageText(row),
      seq,
      runId: meta?.runId,
      idempotencyKey: meta?.idempotencyKey,
      senderIsOwner: meta?.senderIsOwner,
      stopReason: row.stopReason,
      ...(row.role === "assistant" ? withMedia(mediaParts(row.content)) : {}),
    });
  }
  return out;
}

/** Builds the port's ChatHistory from a parsed chat.history result. */
export function toChatHistory(result: z.infer<typeof ChatHistoryResultSchema>, sessionKey: string): ChatHistory {
  const key = result.sessionKey ?? sessionKey;
  const session = toSessionInfo(result.sessionInfo ?? {}, key);
  return {
    sessionKey: key,
    sessionId: result.sessionId ?? session.sessionId,
    messages: toHistoryMessages(result.messages),
    session: { ...session, sessionId: session.sessionId ?? result.sessionId },
    inFlightRunId: result.inFlightRun?.runId,
  };
}

/** sessions.recover result. */
export const SessionsRecoverResultSchema = z.looseObject({
  key: z.string(),
  sessionId: z.string(),
  continuation: lenient(
    z.looseObject({
      status: z.string(),
      runId: lenient(z.string()),
    }),
  ),
});

/** A result we do not read beyond success (sessions.patch, chat.abort). */
export const AnyResultSchema = z.unknown();

function withMedia(media: AgentMedia[]): { media?: AgentMedia[] } {
  return media.length > 0 ? { media } : {};
}
