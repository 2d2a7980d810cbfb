/**
 * An in-process fake of the OpenClaw 2026.9.6 gateway (protocol v4) on a real `ws`
 * server bound to 127.0.0.1 (free port, kept across restarts), for fast tests of
 * the whole bot. It behaves like the real gateway for everything threadkeeper uses,
 * as recorded in docs/openclaw-protocol.md, openclaw-live-peer.md and
 * openclaw-recovery.md: challenge → connect (token, protocol 4) → hello-ok with a
 * per-boot bootId; sessions.create/patch/list/recover/subscribe; chat.send/history/abort;
 * `chat`, `agent` (lifecycle, assistant, tool) and `sessions.changed` events; ticks.
 *
 * @example
 * ```ts
 * const gw = await startFakeGateway({ tickIntervalMs: 200 });  // token: gw.token
 * const client = createOpenClawGateway({ url: gw.url, token: gw.token });
 * await client.start();
 *
 * // Model: echo by default ("ECHO: <text>" in 3 deltas). Script the next turns:
 * gw.model.next({ text: "Hi!" });
 * gw.model.next({ tools: [{ name: "web_search", args: { q: "x" } }], text: "Found." });
 * gw.model.next({ error: "model exploded" });             // chat state "error"
 * gw.model.next({ chars: 5000, chunks: 10 });             // long answer
 * gw.model.next({ delayMs: 300 });                        // slow start
 * const gate = gw.model.hold();                           // one delta, then it waits…
 * await gate.reached; gate.release();                     // …until released (or release("other text"))
 * gw.model.when("budget", { text: "Budget done" });       // lasting rule on the message text
 * // Or steer it from a chat message (for whole-bot tests): "[[hold]] …", "[[error]]",
 * // "[[tool:web_search {\"q\":1}]]", "[[long:5000]]", "[[delay:200]]", "[[chunks:5]]";
 * // then `const gate = await gw.model.waitForHold()`. `gw.model.turns` lists every turn.
 *
 * // Lifecycle:
 * await gw.restart();                   // drain, `shutdown`, close 1012, new bootId
 * await gw.restart({ drain: false });   // abort running turns (chat "aborted", stopReason "restart")
 * await gw.restart({ keepAdmission: true, downMs: 500 }); // SIGUSR2-like, port closed 500 ms
 * await gw.crash();                     // terminate sockets (1006); dedupe and runs lost
 * await gw.crash({ recovery: { delayMs: 100 } }); // + OpenClaw's own recovery run
 * gw.tombstone("agent:main:named:x");   // restartRecoveryStatus "tombstoned"
 * gw.silence();                         // a hung gateway: no ticks, events or replies
 * gw.fault("chat.send", { noReply: true });  // or { error: {code, message, …} } or { delayMs }
 * gw.setStartupUnavailable(1000);       // later boots refuse connect (startup-sidecars) 1 s
 * await gw.dropConnections();           // sockets drop, same boot
 *
 * // Inspection:
 * gw.requestsOf("chat.send");           // [{method, params, bootId, connId, at}]
 * gw.sentSessionKeys();                 // every key/sessionKey/parentSessionKey sent, raw
 * gw.sentIdempotencyKeys();             // chat.send keys, in order, repeats included
 * await gw.waitForRequest("chat.send", (p) => p.idempotencyKey === "k1");
 * await gw.waitForEvent("chat", (p) => p.state === "final");
 * gw.session("agent:main:named:x");     // {row, transcript} as the gateway holds them
 * await gw.stop();                      // in afterEach
 * ```
 *
 * Options: token ("test-token"), port (0), tickIntervalMs (30 000), defaultAgentId
 * ("main"), startupUnavailableMs (0), recovery (false | {delayMs}, default false),
 * drainTimeoutMs (10 000).
 *
 * Known simplifications: runs queued (not started) when a crash or an aborting
 * restart hits are dropped (the real gateway keeps them pending); chat.abort does
 * not set abortedLastRun; `chat`/`agent` events go to every connection (as the real
 * gateway does for Control-UI-visible runs), `sessions.changed` only to connections
 * that called sessions.subscribe (as observed); sessions.messages.subscribe and
 * session.message events are not modelled; recorded `connect` params include the token.
 *
 * @module
 */
import { FakeOpenClawGateway } from "./gateway/server.ts";
import type { FakeGatewayOptions } from "./gateway/types.ts";

export { FakeModel, Gate, type ModelReply, type ModelTurn, type ToolCall } from "./gateway/model.ts";
export { RECOVERY_PROMPT } from "./gateway/run.ts";
export type { SessionRecord, TranscriptRow } from "./gateway/store.ts";
export type { FaultSpec } from "./gateway/support.ts";
export type {
  CrashOptions,
  FakeGatewayOptions,
  RecordedEvent,
  RecordedRequest,
  RecoveryOption,
  RestartOptions,
} from "./gateway/types.ts";
export { FakeOpenClawGateway };

/** Starts a fake gateway on 127.0.0.1 (free port); call `stop()` in afterEach. */
export function startFakeGateway(options: FakeGatewayOptions = {}): Promise<FakeOpenClawGateway> {
  return FakeOpenClawGateway.start(options);
}
