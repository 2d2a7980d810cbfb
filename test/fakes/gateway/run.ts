import type { FakeApprovalRegistry } from "./approvals.ts";
import type { FakeMediaRoute } from "./media.ts";
import { uuid } from "./protocol.ts";
import type { SessionRecord } from "./store.ts";

/** A run of the fake, its inputs, and OpenClaw's recovery rules. */

/** Where a boot's runs send their events. */
export interface EventSink {
  /** Sends an event to every authenticated connection; tool events only to `tool-events` connections. */
  broadcast(event: string, payload: Record<string, unknown>, options?: { toolEvent?: boolean }): void;
  /** How many connected clients OpenClaw would ask for an approval. */
  approvers(): number;
  /** The approval registry runs ask. */
  approvals: FakeApprovalRegistry;
  /** Where a reply's files are served. */
  media: FakeMediaRoute;
}

/** One agent run in a session's queue. */
export interface Run {
  /** Execution id: events and assistant rows carry it. */
  runId: string;
  sessionKey: string;
  /** `replayed`: an idempotency key re-sent after a restart, which fails like the real gateway. */
  kind: "user" | "recovery" | "rollover" | "replayed";
  /** Text of the user row this run writes. */
  message: string;
  /** `__openclaw.idempotencyKey` of that row. */
  userKey: string;
  senderIsOwner: boolean;
  /** On recovery turns: the person's interrupted message. */
  interrupted?: string | undefined;
  /** Wait before admitting (OpenClaw admits recovery runs ~1.7 s after boot). */
  startAfterMs?: number | undefined;
  /** Wait from admission to the model (OpenClaw's recovery run calls the model ~2.3 s after admission). */
  modelAfterMs?: number | undefined;
  /**
   * A recovery run aborted before its admission is admitted again this long after (about 5 s on 2026.9.6,
   * once, under the same run id); undefined: dropped.
   */
  readmitAfterMs?: number | undefined;
  state: "queued" | "running" | "done";
  outcome?: "final" | "error" | "aborted";
  text: string;
  seq: number;
  startedAt?: number;
  controller: AbortController;
}

/** Fields a caller gives to create a run. */
export type NewRun = Pick<Run, "runId" | "sessionKey" | "kind" | "message" | "userKey" | "senderIsOwner"> &
  Partial<Pick<Run, "interrupted" | "startAfterMs" | "modelAfterMs" | "readmitAfterMs">>;

/** The text of OpenClaw's hidden recovery prompt (a user row with senderIsOwner:false). */
export const RECOVERY_PROMPT =
  "[System] Your previous turn was interrupted by a gateway restart while OpenClaw was waiting on tool/model work. " +
  "The restart did not cancel the user's task. Continue from the existing transcript: check the current state, " +
  "recover interrupted work, and finish the task without asking the user to repeat the request.";

/** True when OpenClaw would re-run an interrupted turn of this session by itself. */
export function recoveryEligible(record: SessionRecord): boolean {
  const rest = record.key.split(":").slice(2).join(":");
  return !(record.spawnDepth && record.spawnDepth > 0) && !/^(subagent|cron|acp):/.test(rest);
}

/** A fresh run id for runs OpenClaw starts itself. */
export const newRunId = uuid;
