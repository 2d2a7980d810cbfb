import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/log.ts";
import type { GatewayEvent, SessionInfo } from "../../src/core/ports.ts";
import { StopGuard } from "../../src/core/turns/stop-guard.ts";

const KEY = "agent:main:named:budget";
const CONTINUATION = "run-recovery";
const OURS = "turn-of-the-bot";

/** The two things the guard uses of a gateway, recorded: events in, aborts out. */
function world() {
  const listeners: ((event: GatewayEvent) => void)[] = [];
  const aborts: { sessionKey: string; runId?: string | undefined }[] = [];
  let now = 1_000;
  const gateway = {
    on(listener: (event: GatewayEvent) => void) {
      listeners.push(listener);
      return () => undefined;
    },
    async chatAbort(params: { sessionKey: string; runId?: string | undefined }) {
      aborts.push(params);
    },
  };
  const guard = new StopGuard({ gateway, clock: { now: () => now }, logger: silentLogger });
  const emit = (event: GatewayEvent) => {
    for (const listener of listeners) listener(event);
  };
  const session = (info: Partial<SessionInfo>, reason?: string) =>
    emit({ type: "session", sessionKey: KEY, reason, session: { key: KEY, ...info } as SessionInfo });
  const chat = (runId: string, state: "delta" | "final" | "aborted") =>
    emit({ type: "chat", runId, sessionKey: KEY, state, text: "" });
  return { guard, aborts, session, chat, later: (ms: number) => (now += ms) };
}

const isOurs = (runId: string) => runId === OURS;

describe("StopGuard", () => {
  it("aborts the continuation again when OpenClaw admits it after an early Stop, then lets go once it ended", () => {
    const w = world();
    w.guard.arm(KEY, CONTINUATION, isOurs);
    // What 2026.9.6 does: the Stop's abort is answered at once, the session shows nothing running…
    w.chat(CONTINUATION, "aborted");
    w.session({ hasActiveRun: false, activeRunIds: [] });
    expect(w.aborts).toEqual([]);
    // …then the recovery scheduler admits the same run id and starts it.
    w.session({ hasActiveRun: true, activeRunIds: [CONTINUATION] }, "send");
    w.session({ hasActiveRun: true }, "agent.run.started");
    w.chat(CONTINUATION, "delta");
    // Admitted, then started: each aborts it (a second abort of a run being aborted changes nothing).
    const abort = { sessionKey: KEY, runId: CONTINUATION };
    expect(w.aborts).toEqual([abort, abort]);
    w.chat(CONTINUATION, "aborted");
    w.session({ hasActiveRun: false, activeRunIds: [] });
    w.session({ hasActiveRun: true, activeRunIds: [CONTINUATION] }, "send");
    expect(w.aborts).toHaveLength(2);
  });

  it("aborts an admission that follows Stop with no `aborted` in between", () => {
    const w = world();
    w.guard.arm(KEY, CONTINUATION, isOurs);
    w.session({ hasActiveRun: true, activeRunIds: [CONTINUATION] }, "send");
    expect(w.aborts).toEqual([{ sessionKey: KEY, runId: CONTINUATION }]);
  });

  it("adds nothing when Stop meets a running continuation: the events that trail the abort are not a restart", () => {
    const w = world();
    w.guard.arm(KEY, CONTINUATION, isOurs);
    w.session({ hasActiveRun: true, activeRunIds: [CONTINUATION] });
    w.chat(CONTINUATION, "delta");
    w.chat(CONTINUATION, "aborted");
    w.session({ hasActiveRun: false });
    expect(w.aborts).toEqual([]);
    // Should OpenClaw start it once more, it is stopped again.
    w.chat(CONTINUATION, "delta");
    expect(w.aborts).toEqual([{ sessionKey: KEY, runId: CONTINUATION }]);
  });

  it("never aborts the bot's own turn, and with no known run id aborts only runs that are not the bot's", () => {
    const w = world();
    w.guard.arm(KEY, CONTINUATION, isOurs);
    w.session({ hasActiveRun: true, activeRunIds: [OURS] }, "send");
    w.chat(OURS, "delta");
    expect(w.aborts).toEqual([]);
    w.guard.arm(KEY, undefined, isOurs);
    w.session({ hasActiveRun: false, activeRunIds: [] });
    w.session({ hasActiveRun: true }, "agent.run.started");
    w.session({ hasActiveRun: true, activeRunIds: [OURS, "someone-else"] }, "send");
    expect(w.aborts).toEqual([{ sessionKey: KEY, runId: "someone-else" }]);
  });

  it("lets a Stop lapse after two minutes", () => {
    const w = world();
    w.guard.arm(KEY, CONTINUATION, isOurs);
    w.chat(CONTINUATION, "aborted");
    w.later(120_001);
    w.session({ hasActiveRun: true, activeRunIds: [CONTINUATION] }, "send");
    expect(w.aborts).toEqual([]);
  });
});

describe("StopGuard take-back (RESUME_POLICY=confirm)", () => {
  const PERSONS = "queued-behind-the-re-run";

  it("aborts the re-run at its admission and at each re-admission, never the bot's own turn nor a later run", async () => {
    const w = world();
    w.guard.takeBack(KEY, isOurs);
    expect(w.guard.holding(KEY)).toBe(true);
    w.session({ hasActiveRun: true, activeRunIds: [OURS] }, "send");
    expect(w.aborts).toEqual([]);
    w.session({ hasActiveRun: true, activeRunIds: [CONTINUATION] }, "send");
    const abort = { sessionKey: KEY, runId: CONTINUATION };
    expect(w.aborts).toEqual([abort]);
    w.chat(CONTINUATION, "aborted");
    w.session({ hasActiveRun: false, activeRunIds: [] });
    // Its abort took: the bot's turns may go; a message OpenClaw answers under an id of its own is left alone…
    expect(w.guard.holding(KEY)).toBe(false);
    await w.guard.held(KEY);
    w.session({ hasActiveRun: true, activeRunIds: [PERSONS] }, "send");
    w.chat(PERSONS, "delta");
    expect(w.aborts).toEqual([abort]);
    w.chat(PERSONS, "final");
    // …while the same re-run, admitted again by OpenClaw's scheduler, is aborted again.
    w.session({ hasActiveRun: true, activeRunIds: [CONTINUATION] }, "send");
    expect(w.aborts).toEqual([abort, abort]);
  });

  it("aborts a re-run admitted before the bot was back", () => {
    const w = world();
    w.guard.takeBack(KEY, isOurs);
    w.guard.takeBackRunning(KEY, [OURS, CONTINUATION], true);
    expect(w.aborts).toEqual([{ sessionKey: KEY, runId: CONTINUATION }]);
  });

  it("holds the bot's turns until the re-run is taken back, none is coming, or 15 s pass", async () => {
    const w = world();
    w.guard.takeBack(KEY, isOurs);
    let released = false;
    void w.guard.held(KEY).then(() => (released = true));
    await Promise.resolve();
    expect(released).toBe(false);
    w.guard.noReRun(KEY);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(released).toBe(true);
    expect(w.guard.holding("agent:main:named:other")).toBe(false);
  });

  it("a new boot's take-back replaces the last one (a new re-run id) and lets anything still held go", async () => {
    const w = world();
    w.guard.takeBack(KEY, isOurs);
    w.session({ hasActiveRun: true, activeRunIds: [CONTINUATION] }, "send");
    const first = w.guard.held(KEY);
    w.guard.takeBack(KEY, isOurs);
    await first;
    w.session({ hasActiveRun: true, activeRunIds: ["next-boots-re-run"] }, "send");
    expect(w.aborts.map((a) => a.runId)).toEqual([CONTINUATION, "next-boots-re-run"]);
  });

  it("a turn waiting on a take-back that is armed again (another crash) waits for the new one", async () => {
    const w = world();
    w.guard.takeBack(KEY, isOurs);
    let released = false;
    void w.guard.held(KEY).then(() => (released = true));
    w.guard.takeBack(KEY, isOurs);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(released).toBe(false);
    w.guard.noReRun(KEY);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(released).toBe(true);
  });

  it("a re-run aborted while only listed keeps the bot's turns held until OpenClaw admits it again and it is aborted", () => {
    const w = world();
    w.guard.takeBack(KEY, isOurs);
    w.guard.takeBackRunning(KEY, [CONTINUATION], false);
    w.chat(CONTINUATION, "aborted");
    expect(w.guard.holding(KEY)).toBe(true);
    w.session({ hasActiveRun: true, activeRunIds: [CONTINUATION] }, "send");
    w.chat(CONTINUATION, "aborted");
    expect(w.guard.holding(KEY)).toBe(false);
    expect(w.aborts).toEqual([
      { sessionKey: KEY, runId: CONTINUATION },
      { sessionKey: KEY, runId: CONTINUATION },
    ]);
  });
});
