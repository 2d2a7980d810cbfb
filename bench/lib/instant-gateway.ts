/** A GatewayPort that answers at once without a network, for store benchmarks of core code paths. */
import type { GatewayPort } from "../../src/core/ports.ts";

/** `connected` false makes the relay keep turns in its inbox (nothing is sent). */
export function instantGateway(connected: boolean): GatewayPort {
  return {
    connected,
    bootId: connected ? "bench-boot" : undefined,
    attachmentLimits: undefined,
    start: async () => {},
    stop: async () => {},
    on: () => () => {},
    createSession: async ({ key, label }) => ({ key, sessionId: `s-${key}`, label }),
    patchSession: async () => {},
    listSessions: async () => [],
    chatSend: async ({ idempotencyKey }) => ({ runId: idempotencyKey, status: "started" }),
    chatHistory: async ({ sessionKey }) => ({ sessionKey, messages: [], session: { key: sessionKey } }),
    chatAbort: async () => {},
    chatInterrupt: async ({ idempotencyKey }) => ({
      runId: idempotencyKey,
      status: "started",
      interruptedActiveRun: false,
    }),
    recoverSession: async ({ key }) => ({ key, sessionId: `s-${key}` }),
    listApprovals: async () => [],
    approvalStatus: async () => ({ status: "pending" }),
    resolveApproval: async () => {},
    fetchMedia: async () => ({ bytes: new Uint8Array(0) }),
    listModels: async () => [],
    setSessionModel: async () => ({}),
    describeSession: async () => undefined,
    sessionUsage: async () => ({ sessions: [], complete: true }),
    ensureActivitySummaries: async () => new Map(),
    historyPage: async () => ({ rows: [] }),
    forkSession: async ({ key }) => ({ key, sessionId: `s-${key}` }),
    resetSession: async () => ({}),
    deleteSession: async () => ({ deleted: true }),
  };
}
