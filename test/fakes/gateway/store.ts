import { agentOf, invalid, uuid } from "./protocol.ts";

/** The durable part of the fake: session rows and transcripts survive restarts and crashes. */

/** `__openclaw` metadata of a transcript row. */
export interface RowMeta {
  id: string;
  seq: number;
  runId?: string;
  idempotencyKey?: string;
  senderIsOwner?: boolean;
}

/** One transcript row as chat.history returns it. */
export interface TranscriptRow {
  role: "user" | "assistant";
  content: string | { type: "text"; text: string }[];
  timestamp: number;
  stopReason?: string;
  __openclaw: RowMeta;
}

/** A session as the fake stores it. */
export interface SessionRecord {
  key: string;
  agentId: string;
  sessionId: string;
  label?: string | undefined;
  archived: boolean;
  archivedAt?: number | undefined;
  archiveReason?: string | undefined;
  status?: "running" | "done" | "failed" | "killed" | undefined;
  abortedLastRun: boolean;
  restartRecoveryStatus?: "tombstoned" | undefined;
  parentSessionKey?: string | undefined;
  spawnDepth?: number | undefined;
  lastRunId?: string | undefined;
  createdVia: string;
  createdAt: number;
  updatedAt: number;
  transcript: TranscriptRow[];
  /** Set by sessions.recover so a second call returns the same answer. */
  recoveredTo?: { key: string; sessionId: string; runId: string } | undefined;
}

/** Fields a new session may start with. */
export interface NewSession {
  key: string;
  label?: string | undefined;
  parentSessionKey?: string | undefined;
  spawnDepth?: number | undefined;
  createdVia?: string | undefined;
}

/** Rows, labels and transcripts of every agent. */
export class SessionStore {
  readonly #sessions = new Map<string, SessionRecord>();

  /** The session stored under a canonical key. */
  get(key: string): SessionRecord | undefined {
    return this.#sessions.get(key);
  }

  /** Deletes a session, as an operator's sessions.delete does. */
  delete(key: string): void {
    this.#sessions.delete(key);
  }

  /** Every session, newest update first. */
  all(): SessionRecord[] {
    return [...this.#sessions.values()].sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** Creates a row (the caller checked it is missing and the label is free). */
  create(init: NewSession): SessionRecord {
    const now = Date.now();
    const record: SessionRecord = {
      key: init.key,
      agentId: agentOf(init.key),
      sessionId: uuid(),
      label: init.label,
      archived: false,
      abortedLastRun: false,
      parentSessionKey: init.parentSessionKey,
      spawnDepth: init.spawnDepth,
      createdVia: init.createdVia ?? "operator",
      createdAt: now,
      updatedAt: now,
      transcript: [],
    };
    this.#sessions.set(record.key, record);
    return record;
  }

  /** Throws OpenClaw's clash error when another session of the agent holds `label` (exact match). */
  assertLabelFree(agentId: string, label: string, selfKey: string): void {
    for (const other of this.#sessions.values()) {
      if (other.agentId === agentId && other.key !== selfKey && other.label === label) {
        throw invalid(`label already in use: ${label}`);
      }
    }
  }

  /** Appends a row with the next seq. */
  append(
    record: SessionRecord,
    row: Omit<TranscriptRow, "timestamp" | "__openclaw">,
    meta: Omit<RowMeta, "id" | "seq">,
  ) {
    const seq = (record.transcript.at(-1)?.__openclaw.seq ?? 0) + 1;
    const full: TranscriptRow = { ...row, timestamp: Date.now(), __openclaw: { id: uuid(), seq, ...meta } };
    record.transcript.push(full);
    record.updatedAt = Date.now();
    return full;
  }

  /** True when the transcript has the user row of idempotency key `key` (it was sent in some boot). */
  hasUserRow(record: SessionRecord, key: string): boolean {
    return record.transcript.some((row) => row.__openclaw.idempotencyKey === `${key}:user`);
  }
}

/** A text content array, the shape assistant rows and chat messages use. */
export function textContent(text: string): { type: "text"; text: string }[] {
  return [{ type: "text", text }];
}

/** The row shape of sessions.list / sessionInfo / sessions.changed. */
export function projectRow(record: SessionRecord, activeRunIds: string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {
    key: record.key,
    kind: "direct",
    sessionId: record.sessionId,
    agentId: record.agentId,
    displayName: record.label ?? record.key.split(":").slice(2).join(":"),
    archived: record.archived,
    status: record.status,
    abortedLastRun: record.abortedLastRun,
    hasActiveRun: activeRunIds.length > 0,
    activeRunIds,
    createdVia: record.createdVia,
    updatedAt: record.updatedAt,
  };
  const optional: Record<string, unknown> = {
    label: record.label,
    archivedAt: record.archivedAt,
    archiveReason: record.archiveReason,
    restartRecoveryStatus: record.restartRecoveryStatus,
    parentSessionKey: record.parentSessionKey,
    spawnedBy: record.parentSessionKey,
    spawnDepth: record.spawnDepth,
    lastRunId: record.lastRunId,
  };
  for (const [name, value] of Object.entries(optional)) if (value !== undefined) row[name] = value;
  return row;
}
