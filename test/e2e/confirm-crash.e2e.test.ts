/**
 * Issue 15 through the in-process bot under RESUME_POLICY=confirm: the sub-agent depth a thread uses up
 * (experiment 3 with maxSpawnDepth 1), 25 threads of the one root running at once (experiment 1 at scale), then a
 * gateway SIGKILL with 8 threads mid-turn (experiment 5): OpenClaw re-runs none of them, every thread gets its
 * notice, and Resume continues each exactly once.
 *
 * Config: the agent lane is raised (agents.defaults.maxConcurrent 32; OpenClaw's default is max(8, 4 × CPUs), 8 on
 * this 2-core machine, and it bounds ordinary sessions alike); maxSpawnDepth 1 (children are leaves). The sub-agent
 * child limit stays at its default of 5.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { texts } from "../../src/core/texts.ts";
import { poll } from "./harness/agent-loop.ts";
import { history, rowText, sendTurn } from "./harness/turns.ts";
import { openThreads, ROOT_KEY, requestSession, sessionRows, shown, toolResultsSince } from "./support/confirm.ts";
import { interruptionNotice, useGatewaySuite } from "./support/suite.ts";
import { sleep, until } from "./support/waits.ts";

/** The observation window: OpenClaw's own re-run came 4–7 s after boot for ordinary sessions. */
const QUIET_AFTER_BOOT_MS = 30_000;

describe("confirm costs: nesting limit, 25 at once, and a crash with 8 mid-turn (real gateway)", () => {
  const suite = useGatewaySuite("confirm-crash", {
    configure: (config) => {
      const agents = config.agents as { defaults: Record<string, unknown> };
      agents.defaults.maxConcurrent = 32;
      agents.defaults.subagents = { maxSpawnDepth: 1 };
    },
  });

  /** The gateway's console output and its file log, each from `from` (the lengths an earlier call returned). */
  const gatewayLogs = (from: number[] = []) =>
    [suite.gateway.paths.consoleLog, suite.gateway.paths.fileLog].map((file, i) =>
      (existsSync(file) ? readFileSync(file, "utf8") : "").slice(from[i] ?? 0),
    );

  it("3b. sub-agents with maxSpawnDepth 1: an ordinary session may spawn, a confirm thread may not", async () => {
    const b = await suite.startBot("depth", "confirm-child");
    const [t] = await openThreads(b, "depth", 1);
    if (!t) throw new Error("no thread");
    const plain = "agent:main:named:depth-plain"; // what an `auto` thread is
    const client = await suite.gateway.connect();
    await client.request("sessions.create", { key: plain, label: "Depth plain" });
    suite.model.when(
      "spawn one child",
      {
        kind: "tool",
        name: "tool_call",
        args: { id: "sessions_spawn", args: { task: "a leaf task" } },
        finalText: "Tried.",
      },
      2,
    );
    const sincePlain = suite.model.requests.length;
    await sendTurn(client, plain, "spawn one child from the plain session");
    const [fromPlain] = toolResultsSince(suite.model.requests, sincePlain);
    const sinceThread = suite.model.requests.length;
    await b.say(t.conversation, "spawn one child from the thread");
    await until("the thread's answer", () => shown(b, t.conversation).includes("Tried."), 60_000);
    const [fromThread] = toolResultsSince(suite.model.requests, sinceThread);
    expect(fromPlain?.details).toMatchObject({ status: "accepted" });
    expect(fromThread?.details).toEqual({
      status: "forbidden",
      error:
        "sessions_spawn is not allowed at this depth (current depth: 1, max: 1; agents.defaults.subagents.maxSpawnDepth).",
    });
    // The plain session's child runs and announces back; settled here, so nothing of it runs after the crash below.
    await poll("the plain session's answer to its child's announce", async () =>
      (await history(client, plain)).messages.some(
        (row) => row.role === "assistant" && rowText(row).includes("A background task completed"),
      ),
    );
    await client.close();
  });

  it("1b. concurrency: 25 threads of the one root each run a turn at once", async () => {
    const b = await suite.startBot("many", "confirm-child");
    const threads = await openThreads(b, "many", 25);
    const since = suite.model.requests.length;
    await Promise.all(threads.map((t) => b.say(t.conversation, `HOLD ${t.name} works`)));
    const held = () =>
      suite.model.requests.filter((r) => r.seq > since && r.outcome === "held" && r.userText?.startsWith("HOLD many-"));
    await until("25 turns held open at the model at the same time", () => held().length === 25, 90_000);
    expect(new Set(held().map(requestSession))).toEqual(new Set(threads.map((t) => t.sessionKey)));
    const rows = (await sessionRows(suite.gateway, { search: "many-" })).filter((r) =>
      threads.some((t) => t.sessionKey === r.key),
    );
    expect(rows).toHaveLength(25);
    for (const row of rows)
      expect(row).toMatchObject({ parentSessionKey: ROOT_KEY, spawnDepth: 1, hasActiveRun: true });
    suite.model.release();
    for (const t of threads) {
      const answer = `ECHO: HOLD ${t.name} works`;
      await until(`${t.name}'s answer`, () => shown(b, t.conversation).some((x) => x.endsWith(answer)), 60_000);
    }
  });

  it("5. SIGKILL with 8 threads mid-turn: no model request for 30 s after boot, 8 notices, each Resume continues once", async () => {
    const b = await suite.startBot("crash", "confirm-child");
    const threads = await openThreads(b, "crash", 8);
    // crash-1 is cut after a tool call: its notice and its Resume name that step.
    suite.model.when(
      "HOLD crash-1 after a step",
      { kind: "tool", name: "exec", args: { command: "echo step-one" }, finalText: "crash-1 done", thenHold: true },
      1,
    );
    const since = suite.model.requests.length;
    await Promise.all(threads.map((t) => b.say(t.conversation, `HOLD ${t.name} after a step`)));
    await until(
      "8 turns held open at the model",
      () => suite.model.requests.filter((r) => r.seq > since && r.outcome === "held").length === 8,
      60_000,
    );
    await until("crash-1's step in its checkpoint", () => b.store.state.checkpoints["crash-1"]?.lastToolCall, 30_000);

    const sinceCrash = suite.model.requests.length;
    const logFrom = gatewayLogs().map((text) => text.length);
    await suite.gateway.crash();
    await suite.gateway.start(); // resolves at the new boot's hello-ok
    const bootAt = Date.now();
    const notices = await Promise.all(threads.map((t) => interruptionNotice(b, t.conversation)));
    await sleep(Math.max(0, bootAt + QUIET_AFTER_BOOT_MS - Date.now())); // the observation window
    expect(suite.model.requests.slice(sinceCrash)).toEqual([]);
    // For an ordinary session OpenClaw logs "[main-session-restart-recovery] marked 1 startup-orphaned main
    // session(s) for restart recovery" to both logs at boot; for these threads it marks none.
    const log = gatewayLogs(logFrom).join("\n");
    expect(log).not.toMatch(/startup-orphaned/);

    for (const [i, t] of threads.entries()) {
      const notice = notices[i];
      expect(notice?.buttons.map((x) => x.label)).toEqual(["Resume"]);
      expect(notice?.text).toContain(`"${t.name}"`);
      expect(notice?.text).toContain(`Task: HOLD ${t.name} after a step`);
      expect(notice?.text).toContain("Resume policy: confirm");
      expect(shown(b, t.conversation).filter((x) => x.includes("restart interrupted"))).toHaveLength(1);
    }
    expect(notices[0]?.text).toContain('Last step: exec({"command":"echo step-one"})');
    expect(notices[0]?.text).toContain("May run again on continuing: exec");
    expect((await b.command(threads[0]?.conversation ?? "", "thread"))?.text).toContain("Resume policy: confirm");
    const rows = (await sessionRows(suite.gateway, { search: "crash-" })).filter((r) =>
      threads.some((t) => t.sessionKey === r.key),
    );
    for (const row of rows) expect(row.hasActiveRun).toBe(false);

    const sinceResume = suite.model.requests.length;
    const replies = await Promise.all(
      threads.map((t, i) => b.press(t.conversation, notices[i]?.buttons[0]?.data ?? "")),
    );
    expect(replies.map((r) => r.text)).toEqual(threads.map((t) => texts.resuming(t.name)));
    for (const t of threads) {
      await until(
        `${t.name}'s continuation`,
        () => shown(b, t.conversation).some((x) => x.startsWith("ECHO: Your previous turn was interrupted")),
        60_000,
      );
    }
    const continuations = suite.model.requests.filter((r) => r.seq > sinceResume);
    expect(continuations.map((r) => r.kind)).toEqual(threads.map(() => "turn"));
    expect(continuations.map(requestSession).sort()).toEqual(threads.map((t) => t.sessionKey).sort());
    for (const t of threads) {
      const request = continuations.find((r) => requestSession(r) === t.sessionKey);
      expect(request?.userText).toContain(`The task was: HOLD ${t.name} after a step`);
    }
    const first = continuations.find((r) => requestSession(r) === threads[0]?.sessionKey);
    expect(first?.userText).toContain('Your last recorded step was: exec({"command":"echo step-one"})');

    // Exactly once: a second press, /resume and a press from elsewhere change nothing.
    for (const [i, t] of threads.entries()) {
      const data = notices[i]?.buttons[0]?.data ?? "";
      expect((await b.press(t.conversation, data)).text).toBe(texts.alreadyContinued);
      expect((await b.command(t.conversation, "resume"))?.text).toBe(texts.nothingToResume);
    }
    expect(suite.model.requests.filter((r) => r.seq > sinceResume)).toHaveLength(8);
    expect(suite.model.requests.filter((r) => r.kind === "recovery")).toEqual([]);
    expect(suite.model.unexpected()).toEqual([]);
  });
});
