/**
 * What the gateway offers for steering a running turn (issue 13, /steer); GatewayPort extends it.
 * @module
 */

/** The gateway side of /steer. */
export interface RunControlGateway {
  /**
   * chat.send with `queueMode: "interrupt"` and deliver:false: OpenClaw aborts the session's admitted
   * turn, waits for it to settle, then starts this one (an idle session starts it at once). The ack's
   * `interruptedActiveRun` says whether a turn was running.
   */
  chatInterrupt(params: {
    sessionKey: string;
    message: string;
    idempotencyKey: string;
  }): Promise<{ runId: string; status: string; interruptedActiveRun: boolean }>;
}
