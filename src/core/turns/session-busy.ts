import type { SessionInfo } from "../ports.ts";

/**
 * True while OpenClaw runs a turn of the session. Both fields are read: `activeRunIds` lags while a
 * run streams, `hasActiveRun` is the one the gateway keeps current (ARCHITECTURE.md §6).
 */
export function sessionBusy(session: Pick<SessionInfo, "hasActiveRun" | "activeRunIds">): boolean {
  return session.hasActiveRun === true || (session.activeRunIds?.length ?? 0) > 0;
}

/** True while OpenClaw runs, or is about to re-run, a turn of the session by itself (crash recovery). */
export function sessionContinuing(session: SessionInfo): boolean {
  return sessionBusy(session) || session.abortedLastRun === true;
}
