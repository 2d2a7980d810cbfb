import { uuid } from "./protocol.ts";
import { newRunId, RECOVERY_PROMPT, recoveryEligible } from "./run.ts";
import type { RunEngine } from "./runs.ts";
import { lastOwnerText } from "./session-methods.ts";
import type { SessionRecord, SessionStore } from "./store.ts";
import type { RecoveryOption } from "./types.ts";

/** What OpenClaw does to sessions around restarts: the startup scan and tombstones. */

const TOMBSTONE_NOTICE =
  "I couldn't continue this session after a gateway restart. Your transcript is safe. " +
  "Use /new or /reset to start a replacement session.";

/**
 * The startup scan: rows left "running" with no live run were interrupted. Eligible
 * ones get abortedLastRun and, with recovery on, a recovery run under a new run id
 * that starts after `delayMs` (about 4 s on the real gateway).
 */
export function scanInterrupted(store: SessionStore, engine: RunEngine, recovery: RecoveryOption): void {
  for (const record of store.all()) {
    if (record.status !== "running" || record.restartRecoveryStatus === "tombstoned") continue;
    // Spawned children (spawnDepth > 0) are not recovered: their row stays "running" and idle.
    if (!recoveryEligible(record)) continue;
    record.abortedLastRun = true;
    if (recovery === false) continue;
    const runId = newRunId();
    engine.submit({
      runId,
      sessionKey: record.key,
      kind: "recovery",
      message: RECOVERY_PROMPT,
      userKey: `${runId}:user`,
      senderIsOwner: false,
      interrupted: lastOwnerText(record),
      startAfterMs: recovery.delayMs ?? 4000,
      modelAfterMs: recovery.modelDelayMs,
      readmitAfterMs: recovery.readmitMs,
    });
  }
}

/** Tombstones a session as after three recovery attempts that never started. */
export function tombstone(store: SessionStore, record: SessionRecord, engine: RunEngine | undefined): void {
  for (const runId of engine?.activeRunIds(record.key) ?? []) engine?.abort(record.key, runId);
  record.restartRecoveryStatus = "tombstoned";
  record.status = "failed";
  record.abortedLastRun = false;
  const noticeKey = `main-session-restart-recovery:${uuid()}:failed-notice`;
  store.append(record, { role: "assistant", content: TOMBSTONE_NOTICE }, { idempotencyKey: noticeKey });
  engine?.changed(record, "restart-recovery");
}
