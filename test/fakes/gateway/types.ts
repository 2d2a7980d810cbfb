/** Public option and record types of the fake gateway. */

/** Whether (and how soon) the fake re-runs interrupted turns after a boot, as OpenClaw does. */
/**
 * OpenClaw's automatic recovery: `delayMs` from boot to the re-run's admission, `modelDelayMs` from admission to
 * its model request (about 1.7 s and 2.3 s on 2026.9.6; an abort in between keeps it from the model);
 * `readmitMs` from an abort before the admission to the same run's admission again (about 5 s).
 */
export type RecoveryOption =
  | false
  | { delayMs?: number | undefined; modelDelayMs?: number | undefined; readmitMs?: number | undefined };

/** Options of the fake gateway. */
export interface FakeGatewayOptions {
  /** Port on 127.0.0.1 (default 0: a free port, kept across restarts). */
  port?: number | undefined;
  /** Shared token connect must carry (default "test-token"). */
  token?: string | undefined;
  /** hello-ok policy.tickIntervalMs and the tick period (default 30 000). */
  tickIntervalMs?: number | undefined;
  /** Agent of raw keys and of sessions.create without agentId (default "main"). */
  defaultAgentId?: string | undefined;
  /** After each boot, connect is refused with UNAVAILABLE/startup-sidecars for this long (default 0). */
  startupUnavailableMs?: number | undefined;
  /** Simulate OpenClaw's automatic recovery after a crash or drain overrun (default false). */
  recovery?: RecoveryOption | undefined;
  /** Longest a graceful restart waits for running turns before aborting them (default 10 000). */
  drainTimeoutMs?: number | undefined;
}

/** A graceful restart (SIGUSR2/SIGTERM-like): drain, `shutdown` event, close 1012, new bootId. */
export interface RestartOptions {
  /** `false` makes this a crash() instead (default true). */
  graceful?: boolean | undefined;
  /** Wait for running turns (default true); false aborts them with stopReason "restart". */
  drain?: boolean | undefined;
  /** Keep admitting chat.send while draining (SIGUSR2); default false (SIGTERM: UNAVAILABLE). */
  keepAdmission?: boolean | undefined;
  drainTimeoutMs?: number | undefined;
  /** `shutdown.restartExpectedMs` (default 1500); ignored with `stop`. */
  restartExpectedMs?: number | undefined;
  /** A terminal stop (`shutdown` without restartExpectedMs) that still comes back after downMs. */
  stop?: boolean | undefined;
  reason?: string | undefined;
  /** How long the port stays closed (default 0). */
  downMs?: number | undefined;
}

/** A crash (SIGKILL-like): sockets drop (1006), runs and dedupe are lost, transcripts stay. */
export interface CrashOptions {
  downMs?: number | undefined;
  /** Overrides the gateway's `recovery` option for this boot. */
  recovery?: RecoveryOption | undefined;
}

/** A request frame the fake received. */
export interface RecordedRequest {
  method: string;
  params: unknown;
  bootId: string;
  connId: string;
  at: number;
}

/** An event the fake broadcast (ticks and challenges are not recorded). */
export interface RecordedEvent {
  event: string;
  payload: Record<string, unknown>;
  bootId: string;
  at: number;
}
