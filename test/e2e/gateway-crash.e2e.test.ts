/**
 * Acceptance 3 of issue 3: SIGKILL while the model holds an answer open, then a restart on the same state.
 * Asserts what OpenClaw 2026.9.6 does to that session (docs/openclaw-recovery.md §1) and writes the timeline
 * to .cache/e2e/crash-observations.json for the restart issue to build on.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../scripts/openclaw-paths.ts";
import { namedKey, startE2eGateway } from "./harness/e2e-context.ts";
import { type FakeModel, HOLD_FIRST_CHUNK, startFakeModel } from "./harness/fake-model.ts";
import type { Gateway } from "./harness/gateway.ts";
import { sleep } from "./harness/processes.ts";
import { history, isChatEnd, rowText, sendTurn } from "./harness/turns.ts";

const KEY = namedKey("crash-recovery");
const TASK = "HOLD main task: plan the budget";

/** The sessionInfo fields the restart logic reads. */
function pick(info: Record<string, unknown>): Record<string, unknown> {
  const { status, hasActiveRun, activeRunIds, abortedLastRun, lastRunId, restartRecoveryStatus } = info;
  return { status, hasActiveRun, activeRunIds, abortedLastRun, lastRunId, restartRecoveryStatus };
}

describe("real gateway: SIGKILL during a held answer", () => {
  let model: FakeModel;
  let gateway: Gateway;
  const timeline: Record<string, unknown> = {};

  beforeAll(async () => {
    model = await startFakeModel();
    gateway = await startE2eGateway(model, "crash");
  });

  afterAll(async () => {
    model?.release(); // a failed test may leave an answer held, which would stall the graceful stop
    const dir = join(repoRoot, ".cache", "e2e");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "crash-observations.json"), `${JSON.stringify(timeline, null, 2)}\n`);
    await gateway?.cleanup();
    await model?.close();
  });

  it("re-runs the interrupted turn itself after the restart, under a new runId", async () => {
    const client = await gateway.connect();
    const created = await client.request("sessions.create", { key: KEY, label: "Crash recovery" });
    expect((await sendTurn(client, KEY, "earlier turn")).text).toBe("ECHO: earlier turn");

    // The turn to interrupt: the model streams its first piece and holds the rest.
    const ack = await client.request<{ runId: string }>("chat.send", {
      sessionKey: KEY,
      message: TASK,
      idempotencyKey: "crash-k1",
      deliver: false,
    });
    const held = await model.waitForHeld();
    await sleep(1000);
    const before = await history(client, KEY);
    expect(before.sessionInfo).toMatchObject({ status: "running", hasActiveRun: true });
    expect(before.raw.inFlightRun).toMatchObject({ runId: ack.runId });

    const killedAt = Date.now();
    expect(await gateway.crash()).toEqual({ code: null, signal: "SIGKILL" });
    const closed = await client.closed;
    expect(closed.code).toBe(1006); // a crash just drops the socket
    expect(client.events.some((e) => e.event === "shutdown")).toBe(false);
    for (let i = 0; i < 50 && held.outcome !== "aborted"; i++) await sleep(100);
    expect(held.outcome).toBe("aborted"); // the model saw the gateway hang up

    model.recoveryMode = "hold"; // keep OpenClaw's own recovery run open so its state can be observed
    await gateway.start();
    const after = await gateway.connect();
    const helloAt = Date.now();
    expect(after.bootId).not.toBe(client.bootId);
    const early = await history(after, KEY);
    Object.assign(timeline, {
      openclaw: after.hello.server.version,
      ourRunId: ack.runId,
      killToRestartReadyMs: helloAt - killedAt,
      earlySessionInfoAfterHelloMs: Date.now() - helloAt,
      earlySessionInfo: pick(early.sessionInfo),
    });
    // Right after the boot the session is not idle. Which flags show it depends on how far recovery got by
    // the time chat.history answers (abortedLastRun:true before admission, the recovery run after): recorded.
    expect(early.sessionInfo).toMatchObject({ status: "running" });
    Object.assign(timeline, { earlyInFlightRun: early.raw.inFlightRun });

    const recovery = await model.waitForHeld(30_000);
    expect(recovery.kind).toBe("recovery");
    Object.assign(timeline, {
      recoveryRequestAfterHelloMs: recovery.at - helloAt,
      recoveryUserText: recovery.userText,
    });
    expect(recovery.userText).toContain("interrupted by a gateway restart");
    expect(recovery.userText).toContain("[Queued user message");
    expect(recovery.userText).toContain(TASK);
    // The recovery request carries the earlier finished turn, but not the partial text of the killed answer.
    const sawEarlier = recovery.messages.map((m) => m.text);
    expect(sawEarlier).toContain("ECHO: earlier turn");
    expect(sawEarlier.some((t) => t.includes(HOLD_FIRST_CHUNK.trim()))).toBe(false);

    const during = await history(after, KEY);
    const inFlight = during.raw.inFlightRun as { runId?: string; text?: string } | undefined;
    Object.assign(timeline, {
      sessionInfoWhileRecoveryRuns: pick(during.sessionInfo),
      inFlightRunWhileRecoveryRuns: inFlight,
    });
    // activeRunIds is not reliable here (absent while the run streams); hasActiveRun is.
    expect(during.sessionInfo).toMatchObject({ status: "running", hasActiveRun: true, abortedLastRun: false });
    expect(inFlight).toMatchObject({ runId: expect.any(String), text: HOLD_FIRST_CHUNK.trim() });
    expect(inFlight?.runId).not.toBe(ack.runId);
    Object.assign(timeline, { recoveryReleasedAfterHelloMs: Date.now() - helloAt });
    model.release(recovery);

    const end = await after.waitForEvent((e) => e.event === "chat" && e.payload.state === "final", 30_000);
    const recoveryRunId = String(end.payload.runId);
    Object.assign(timeline, { recoveryFinalAfterHelloMs: end.at - helloAt, recoveryRunId });
    expect(recoveryRunId).toBe(inFlight?.runId);
    expect(recoveryRunId).not.toBe(ack.runId);
    await sleep(500);
    expect(after.events.some(isChatEnd(ack.runId))).toBe(false); // our own runId never ends

    const final = await history(after, KEY);
    expect(final.sessionId).toBe(String(created.sessionId));
    expect(final.sessionInfo).toMatchObject({ status: "done", hasActiveRun: false, abortedLastRun: false });
    const rows = final.messages.slice(2).map((m) => ({
      role: m.role,
      text: rowText(m).slice(0, 100),
      runId: m.__openclaw?.runId,
      idempotencyKey: m.__openclaw?.idempotencyKey,
      senderIsOwner: m.__openclaw?.senderIsOwner,
    }));
    Object.assign(timeline, { transcriptAfterRecovery: rows, sessionInfoAfterRecovery: pick(final.sessionInfo) });
    expect(rows).toEqual([
      { role: "user", text: TASK, runId: undefined, idempotencyKey: "crash-k1:user", senderIsOwner: true },
      {
        role: "user",
        text: expect.stringMatching(/^\[System\] Your previous turn was interrupted by a gateway restart/),
        runId: undefined,
        idempotencyKey: `${recoveryRunId}:user`,
        senderIsOwner: false,
      },
      {
        role: "assistant",
        text: `${HOLD_FIRST_CHUNK}RECOVERED: ${TASK}`,
        runId: recoveryRunId,
        idempotencyKey: undefined,
        senderIsOwner: undefined,
      },
    ]);

    // A fresh turn afterwards runs normally.
    expect((await sendTurn(after, KEY, "after the crash")).text).toBe("ECHO: after the crash");

    const t = timeline;
    console.info(
      `crash: ready ${t.killToRestartReadyMs} ms after SIGKILL; recovery request at hello+${t.recoveryRequestAfterHelloMs} ms`,
    );
    await after.close();
  });

  it("sent the fake model nothing it did not expect", () => {
    expect(model.unexpected()).toEqual([]);
  });
});
