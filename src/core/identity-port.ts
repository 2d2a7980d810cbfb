/**
 * What the thread-identity commands (rename, fork, reset, delete) need of the gateway; GatewayPort
 * extends it. Facts behind each call: docs/openclaw-thread-identity.md.
 * @module
 */

/** The session maintenance calls of a thread's identity. */
export interface IdentityGatewayPort {
  /**
   * sessions.create with `fork: true` and `parentSessionKey`: a new session whose transcript starts
   * as the parent's, through its last completed answer (`forkFrom: "last-completed"`, so a running
   * turn of the parent does not refuse it); the parent is untouched.
   */
  forkSession(params: {
    key: string;
    parentSessionKey: string;
    label?: string | undefined;
    /** 1 under the confirm policy, so OpenClaw's restart recovery leaves the fork to the bot too. */
    spawnDepth?: number | undefined;
  }): Promise<{ key: string; sessionId: string }>;
  /** sessions.reset: an empty transcript in place (OpenClaw 2026.9.6 keeps the key and the sessionId). */
  resetSession(params: {
    key: string;
    expectedSessionId?: string | undefined;
  }): Promise<{ sessionId?: string | undefined }>;
  /** sessions.delete: the session row goes; its transcript is archived by OpenClaw, never offered again. */
  deleteSession(params: { key: string }): Promise<{ deleted: boolean }>;
}
