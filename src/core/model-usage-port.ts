/**
 * The gateway methods of a thread's model and usage (issue 13, slice h3): the model catalog, a session's
 * model, and what its turns cost. GatewayPort extends this interface.
 * @module
 */

/** One model of the gateway's catalog (`models.list`). */
export interface ModelChoice {
  provider: string;
  id: string;
  name: string;
  /** False when OpenClaw knows the model cannot run now (no auth, cooldown). */
  available?: boolean | undefined;
}

/** Tokens and cost, as OpenClaw counts them; `costUsd` is undefined when OpenClaw has no price for the model. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  totalTokens: number;
  costUsd?: number | undefined;
}

/** What `sessions.describe` says of a session's model and of its last turn. */
export interface SessionModelInfo {
  key: string;
  provider?: string | undefined;
  model?: string | undefined;
  /** The last run's tokens and estimated cost (OpenClaw overwrites them at the end of every run). */
  lastTurn?: TokenUsage | undefined;
}

/** A session's whole usage (`sessions.usage`); `usage` is undefined while nothing has been counted. */
export interface SessionUsage {
  key: string;
  usage?: TokenUsage | undefined;
}

/** The answer of `sessions.usage`: `complete` is false while OpenClaw is still counting in the background. */
export interface UsageReport {
  sessions: SessionUsage[];
  complete: boolean;
}

/** Per-request options: a best-effort read waits less than the client's default. */
export interface ReadOptions {
  timeoutMs?: number | undefined;
}

/** The gateway's model and usage methods. */
export interface ModelUsagePort {
  /** models.list: the catalog the gateway lets sessions choose from. */
  listModels(options?: ReadOptions): Promise<ModelChoice[]>;
  /** sessions.patch { key, model: "provider/id" }: the model OpenClaw resolved. */
  setSessionModel(params: {
    key: string;
    model: string;
  }): Promise<{ provider?: string | undefined; model?: string | undefined }>;
  /** sessions.describe: the session's model and last turn; undefined when the gateway has no such session. */
  describeSession(params: { key: string }, options?: ReadOptions): Promise<SessionModelInfo | undefined>;
  /** sessions.usage over all time: one session (`key`), or the agent's sessions most recent first (`limit`). */
  sessionUsage(
    params: { key?: string | undefined; agentId?: string | undefined; limit?: number | undefined },
    options?: ReadOptions,
  ): Promise<UsageReport>;
}
