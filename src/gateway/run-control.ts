import { z } from "zod";
import type { RequestOptions } from "./options.ts";

/** The ack of chat.send; `interruptedActiveRun` is present (true) only when a running turn was interrupted. */
const ChatInterruptResultSchema = z.looseObject({
  runId: z.string(),
  status: z.string(),
  interruptedActiveRun: z.boolean().optional().catch(undefined),
});

/** Longer than OpenClaw's 15 s wait for the interrupted turn to settle (REPLY_RUN_IDLE_SETTLE_TIMEOUT_MS). */
const INTERRUPT_TIMEOUT_MS = 30_000;

/** The client's `call`, as the functions of this file use it. */
type Call = <T>(
  method: string,
  params: unknown,
  options: RequestOptions | undefined,
  schema: z.ZodType<T>,
) => Promise<T>;

/**
 * chat.send with `queueMode: "interrupt"` (OpenClaw 2026.9.6 takes `steer`, `followup`, `collect` or
 * `interrupt`; `sessions.steer` is a deprecated alias of this one). `steer` would inject the text into the
 * running model call instead, which the gateway allows only at some runtime boundaries; `interrupt` always
 * ends the running turn and answers the new text with the whole history (docs/openclaw-agent-loop.md).
 */
export async function chatInterrupt(
  call: Call,
  params: { sessionKey: string; message: string; idempotencyKey: string },
  options?: RequestOptions,
): Promise<{ runId: string; status: string; interruptedActiveRun: boolean }> {
  const { sessionKey, message, idempotencyKey } = params;
  const wire = { sessionKey, message, idempotencyKey, deliver: false, queueMode: "interrupt" };
  // OpenClaw acks only once the interrupted turn has settled, which it waits up to 15 s for.
  const timed = { ...options, timeoutMs: options?.timeoutMs ?? INTERRUPT_TIMEOUT_MS };
  const result = await call("chat.send", wire, timed, ChatInterruptResultSchema);
  return { runId: result.runId, status: result.status, interruptedActiveRun: result.interruptedActiveRun === true };
}
