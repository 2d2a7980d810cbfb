import { chatMethods } from "./chat-methods.ts";
import { canonicalKey, invalid, optionalString, requireString, sleep } from "./protocol.ts";
import type { MethodContext, MethodHandler } from "./session-methods.ts";

/** The queue modes OpenClaw 2026.9.6's chat.send takes for one request. */
const QUEUE_MODES = new Set(["steer", "followup", "collect", "interrupt"]);

const plainSend = chatMethods["chat.send"] as MethodHandler;

/**
 * chat.send with `queueMode` (issue 13, /steer). `interrupt`, as on the real gateway: the session's
 * running turn is aborted (it ends with chat state "aborted", its partial text kept in the event, no row),
 * the ack waits until it has settled, then the new turn starts with the whole history; the ack says `interruptedActiveRun: true` when a turn ran.
 * An idle session starts the turn normally. Other modes are accepted and sent like a plain chat.send.
 */
async function chatSend(params: Record<string, unknown>, ctx: MethodContext): Promise<unknown> {
  const mode = optionalString(params, "queueMode");
  if (mode !== undefined && !QUEUE_MODES.has(mode)) {
    throw invalid(`invalid chat.send params: at /queueMode: must be equal to one of the allowed values`);
  }
  if (mode !== "interrupt" || ctx.engine.deduped(requireString(params, "idempotencyKey"))) {
    return plainSend(params, ctx);
  }
  const key = canonicalKey(requireString(params, "sessionKey"), ctx.defaultAgentId);
  const running = ctx.engine.runs(key).filter((run) => run.state === "running");
  for (const run of running) ctx.engine.abort(key, run.runId);
  // OpenClaw waits for the interrupted turn to settle before it admits the new one (and only then acks).
  while (running.some((run) => run.state !== "done")) await sleep(1);
  const ack = plainSend(params, ctx) as Record<string, unknown>;
  return running.length > 0 ? { ...ack, interruptedActiveRun: true } : ack;
}

/** The run-control methods of the fake (registered after chatMethods: this chat.send replaces that one). */
export const runControlMethods: Record<string, MethodHandler> = {
  "chat.send": chatSend,
};
