/**
 * Issue 15, experiments 1–4: what a thread created under RESUME_POLICY=confirm (a child of the bot's root
 * session: parentSessionKey + spawnDepth 1) can do on the real gateway, driven through the in-process bot as the
 * product runs it, with an ordinary session (what an `auto` thread is) as the control where they differ.
 * Experiment 5 (crash with 8 threads mid-turn) and 25 at once: confirm-crash.e2e.test.ts.
 *
 * The gateway runs OpenClaw's defaults (maxChildrenPerAgent 5, maxSpawnDepth 5, an agent lane of 8 on this
 * machine) except the child archive window, shortened to its minimum (archiveAfterMinutes 1).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { poll } from "./harness/agent-loop.ts";
import type { RawClient } from "./harness/raw-client.ts";
import { history, rowText, sendTurn } from "./harness/turns.ts";
import { openThreads, ROOT_KEY, requestSession, sessionRows, shown, toolResultsSince } from "./support/confirm.ts";
import { useGatewaySuite } from "./support/suite.ts";
import { until } from "./support/waits.ts";

/** OpenClaw's child archive window as configured here: its minimum, one minute. */
const ARCHIVE_WINDOW_MS = 60_000;
const TARGET = "agent:main:named:send-target";

describe("confirm costs: what a confirm thread can do (real gateway)", () => {
  const suite = useGatewaySuite("confirm-costs", {
    configure: (config) => {
      const agents = config.agents as { defaults: Record<string, unknown> };
      agents.defaults.subagents = { archiveAfterMinutes: 1 };
    },
  });
  let idleSince = 0;
  let client: RawClient;

  beforeAll(async () => {
    client = await suite.gateway.connect();
    await client.request("sessions.create", { key: TARGET, label: "Send target" });
    // Experiment 4's thread goes first, so the time the other experiments take counts towards its idle time.
    const b = await suite.startBot("lifetime", "confirm-child");
    expect((await b.command("console:lifetime", "thread", "Long Lived"))?.text).toMatch(/Created thread/);
    await b.say("console:lifetime", "remember the blue folder");
    await until(
      "the first answer",
      () => shown(b, "console:lifetime").includes("ECHO: remember the blue folder"),
      60_000,
    );
    idleSince = Date.now();
    await suite.stopBot();
  });

  it("1. concurrency: 8 threads of the one root each run a turn at once (the root's child limit of 5 does not apply)", async () => {
    const b = await suite.startBot("concurrency", "confirm-child");
    const threads = await openThreads(b, "conc", 8);
    const since = suite.model.requests.length;
    await Promise.all(threads.map((t) => b.say(t.conversation, `HOLD ${t.name} works`)));
    const held = () =>
      suite.model.requests.filter((r) => r.seq > since && r.outcome === "held" && r.userText?.startsWith("HOLD conc-"));
    await until("8 turns held open at the model at the same time", () => held().length === 8, 60_000);
    expect(new Set(held().map(requestSession))).toEqual(new Set(threads.map((t) => t.sessionKey)));
    const rows = await sessionRows(suite.gateway, { search: "conc-" });
    const ours = rows.filter((r) => threads.some((t) => t.sessionKey === r.key));
    expect(ours).toHaveLength(8);
    for (const row of ours)
      expect(row).toMatchObject({ parentSessionKey: ROOT_KEY, spawnDepth: 1, hasActiveRun: true });
    const [root] = await sessionRows(suite.gateway, { search: "threadkeeper" });
    expect(root?.childSessions ?? []).toEqual(expect.arrayContaining(threads.map((t) => t.sessionKey)));

    suite.model.release();
    for (const t of threads) {
      const answer = `ECHO: HOLD ${t.name} works`;
      await until(`${t.name}'s answer`, () => shown(b, t.conversation).some((x) => x.endsWith(answer)), 60_000);
    }
  });

  it("2. tools: sessions_list, sessions_send, cron (automations) and exec called by a confirm thread's agent succeed", async () => {
    const b = await suite.startBot("tools", "confirm-child");
    const [t] = await openThreads(b, "tools", 1);
    if (!t) throw new Error("no thread");
    suite.model.when(
      "use the session and system tools",
      {
        kind: "tool",
        name: "tool_call",
        args: { id: "sessions_list", args: {} },
        finalText: "Tools used.",
        nextCalls: [
          {
            name: "tool_call",
            args: {
              id: "sessions_send",
              args: { sessionKey: TARGET, message: "ping from tools-1", timeoutSeconds: 60 },
            },
          },
          {
            name: "tool_call",
            args: {
              id: "automations",
              args: {
                action: "add",
                job: {
                  name: "tools-1 hourly",
                  schedule: { kind: "every", everyMs: 3_600_000 },
                  payload: { kind: "systemEvent", text: "tick" },
                },
              },
            },
          },
          { name: "tool_call", args: { id: "automations", args: { action: "list" } } },
          { name: "exec", args: { command: "echo exec-from-a-confirm-thread" } },
        ],
      },
      1,
    );
    const since = suite.model.requests.length;
    await b.say(t.conversation, "use the session and system tools");
    await until("the answer after five tool calls", () => shown(b, t.conversation).includes("Tools used."), 90_000);
    const [list, send, add, jobs, exec] = toolResultsSince(suite.model.requests, since);

    expect(list?.name).toBe("sessions_list");
    const listed = (list?.details?.sessions ?? []) as { key: string; parentSessionKey?: string }[];
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: t.sessionKey, parentSessionKey: ROOT_KEY }),
        expect.objectContaining({ key: TARGET }),
      ]),
    );
    // The target ran the message and its answer came back in the tool result.
    expect(send?.name).toBe("sessions_send");
    expect(send?.details).toMatchObject({ status: "ok", sessionKey: TARGET, reply: "ECHO: ping from tools-1" });
    expect(add?.name).toBe("automations");
    expect(add?.details).toMatchObject({ name: "tools-1 hourly", sessionKey: t.sessionKey, enabled: true });
    expect(jobs?.details?.jobs).toEqual(expect.arrayContaining([expect.objectContaining({ name: "tools-1 hourly" })]));
    expect(exec?.text).toBe("exec-from-a-confirm-thread");
    expect(b.store.state.checkpoints[t.slug]?.lastToolCall).toMatchObject({
      name: "exec",
      args: { command: "echo exec-from-a-confirm-thread" },
    });
    expect(suite.model.unexpected()).toEqual([]);
  });

  it("2b. sessions_send without waiting: an ordinary session gets the target's reply back later, a confirm thread never does", async () => {
    const b = await suite.startBot("send", "confirm-child");
    const [t] = await openThreads(b, "sender", 1);
    if (!t) throw new Error("no thread");
    const plain = "agent:main:named:plain-sender"; // what an `auto` thread is
    await client.request("sessions.create", { key: plain, label: "Plain sender" });
    const sendAndForget = (text: string, message: string) =>
      suite.model.when(
        text,
        {
          kind: "tool",
          name: "tool_call",
          args: { id: "sessions_send", args: { sessionKey: TARGET, message, timeoutSeconds: 0 } },
          finalText: "Sent.",
        },
        1,
      );
    sendAndForget("send and forget from the thread", "later from the thread");
    sendAndForget("send and forget from the plain session", "later from the plain session");

    const sinceThread = suite.model.requests.length;
    await b.say(t.conversation, "send and forget from the thread");
    await until("the thread's answer", () => shown(b, t.conversation).includes("Sent."), 60_000);
    const [fromThread] = toolResultsSince(suite.model.requests, sinceThread);
    await suite.model.waitForRequest((r) => r.userText === "later from the thread", 60_000);

    const sincePlain = suite.model.requests.length;
    await sendTurn(client, plain, "send and forget from the plain session");
    const [fromPlain] = toolResultsSince(suite.model.requests, sincePlain);
    // The reply-back: the target's answer arrives in the sender's session as a turn of its own.
    const replyBack = await suite.model.waitForRequest(
      (r) => r.userText === "ECHO: later from the plain session",
      60_000,
    );

    expect(fromPlain?.details).toMatchObject({ status: "accepted", delivery: { status: "pending", mode: "announce" } });
    expect(fromThread?.details).toMatchObject({
      status: "accepted",
      delivery: { status: "skipped", mode: "announce" },
    });
    expect(replyBack.seq).toBeGreaterThan(sincePlain);
    // The thread's send went first; its reply-back, had OpenClaw started one, would have come by now.
    expect(suite.model.requests.filter((r) => r.userText === "ECHO: later from the thread")).toEqual([]);
    const rows = (await history(client, t.sessionKey)).messages.map(rowText);
    expect(rows.some((text) => text.includes("ECHO: later from the thread"))).toBe(false);
  });

  it("3. sub-agents: sessions_spawn from a confirm thread, two levels deep, announces back into the thread", async () => {
    const b = await suite.startBot("subagents", "confirm-child");
    const [t] = await openThreads(b, "spawner", 1);
    if (!t) throw new Error("no thread");
    const spawn = (text: string, task: string, finalText: string) =>
      suite.model.when(
        text,
        { kind: "tool", name: "tool_call", args: { id: "sessions_spawn", args: { task } }, finalText },
        1,
      );
    spawn("delegate two levels", "level one task", "Delegated.");
    spawn("level one task", "level two task", "Level one delegated.");
    const since = suite.model.requests.length;
    await b.say(t.conversation, "delegate two levels");
    await until("the thread's answer", () => shown(b, t.conversation).includes("Delegated."), 60_000);
    const [spawned] = toolResultsSince(suite.model.requests, since);
    expect(spawned?.details).toMatchObject({ status: "accepted", mode: "run", expectsCompletionMessage: true });

    const turn = (task: string) =>
      suite.model.waitForRequest((r) => r.seq > since && r.kind === "turn" && !!r.userText?.includes(task), 60_000);
    const child = await turn("[Subagent Task]\n\nlevel one task");
    const grandchild = await turn("[Subagent Task]\n\nlevel two task");
    // The thread itself counts as depth 1 of OpenClaw's 5, so its sub-agents start one level deeper than an
    // ordinary session's (whose first child runs at "depth 1/5").
    expect(child.userText).toContain("You are running as a subagent (depth 2/5)");
    expect(grandchild.userText).toContain("You are running as a subagent (depth 3/5)");
    const childKey = requestSession(child) ?? "";
    const grandchildKey = requestSession(grandchild) ?? "";
    const rows = await sessionRows(suite.gateway, { archived: "all" });
    expect(rows.find((r) => r.key === childKey)).toMatchObject({ spawnedBy: t.sessionKey, spawnDepth: 2 });
    expect(rows.find((r) => r.key === grandchildKey)).toMatchObject({ spawnedBy: childKey, spawnDepth: 3 });

    // The announce chain: level two → level one → the thread, whose session runs a turn with the result.
    const announced = await poll(
      "the thread's answer to its child's announce",
      async () => {
        const rowsNow = (await history(client, t.sessionKey)).messages;
        return rowsNow.find((row) => row.role === "assistant" && rowText(row).includes("A background task completed"));
      },
      90_000,
    );
    expect(rowText(announced)).toContain("level one task");
    expect(rowText(announced)).toContain("level two task");
    expect(suite.model.unexpected()).toEqual([]);
  });

  it("4. lifetime: idle past the child archive window, re-attached with its history; root reset or deleted: threads stay", async () => {
    await until("idle past the archive window", () => Date.now() - idleSince > ARCHIVE_WINDOW_MS + 5_000, 120_000, 250);
    const key = "agent:main:named:long-lived";
    const [before] = (await sessionRows(suite.gateway, { search: "long-lived", archived: "all" })).filter(
      (r) => r.key === key,
    );
    expect(before).toMatchObject({ archived: false, parentSessionKey: ROOT_KEY, spawnDepth: 1 });

    const b = await suite.startBot("lifetime", "confirm-child");
    expect((await b.command("console:lifetime", "thread", "Long Lived"))?.text).toMatch(/Attached thread/);
    const since = suite.model.requests.length;
    await b.say("console:lifetime", "what was the folder?");
    await until("the answer", () => shown(b, "console:lifetime").includes("ECHO: what was the folder?"), 60_000);
    const seen = suite.model.requests.find((r) => r.seq > since && r.userText === "what was the folder?");
    expect(seen?.messages.map((m) => m.text).join("\n")).toContain("ECHO: remember the blue folder");

    // An operator resets the root, then deletes it: the threads keep their session, history and parent link.
    const reset = await client.request<{ ok: boolean }>("sessions.reset", { key: ROOT_KEY });
    expect(reset.ok).toBe(true);
    await b.say("console:lifetime", "after the root was reset");
    await until("the answer", () => shown(b, "console:lifetime").includes("ECHO: after the root was reset"), 60_000);
    const deleted = await client.request<{ deleted: boolean }>("sessions.delete", { key: ROOT_KEY });
    expect(deleted.deleted).toBe(true);
    expect(await sessionRows(suite.gateway, { search: "threadkeeper" })).toEqual([]);
    await b.say("console:lifetime", "after the root was deleted");
    await until("the answer", () => shown(b, "console:lifetime").includes("ECHO: after the root was deleted"), 60_000);
    const [after] = (await sessionRows(suite.gateway, { search: "long-lived" })).filter((r) => r.key === key);
    expect(after).toMatchObject({ sessionId: before?.sessionId, parentSessionKey: ROOT_KEY, spawnDepth: 1 });
    const texts = (await history(client, key)).messages.map(rowText);
    expect(texts).toEqual(
      expect.arrayContaining(["ECHO: remember the blue folder", "ECHO: after the root was deleted"]),
    );

    // The gateway refuses a new child of the deleted root; a bot that starts again re-creates the root first.
    await expect(
      client.request("sessions.create", { key: "agent:main:named:orphan", parentSessionKey: ROOT_KEY, spawnDepth: 1 }),
    ).rejects.toThrow(/unknown parent session/);
    await suite.stopBot();
    const restarted = await suite.startBot("lifetime", "confirm-child");
    expect((await restarted.command("console:later", "thread", "Made Later"))?.text).toMatch(/Created thread/);
    const [made] = (await sessionRows(suite.gateway, { search: "made-later" })).filter((r) =>
      r.key.endsWith(":made-later"),
    );
    expect(made).toMatchObject({ parentSessionKey: ROOT_KEY, spawnDepth: 1 });
    expect(await sessionRows(suite.gateway, { search: "threadkeeper" })).toHaveLength(1);
  });

  // Not a cost of the child route: OpenClaw refuses a child of a deleted root ("unknown parent session"), and the
  // bot then makes the root again and retries once (ThreadRegistry).
  it("4b. a running bot whose root an operator deleted re-creates the root when it creates the next thread", async () => {
    const b = await suite.startBot("root-deleted", "confirm-child");
    expect((await b.command("console:first", "thread", "Made First"))?.text).toMatch(/Created thread/);
    expect((await client.request<{ deleted: boolean }>("sessions.delete", { key: ROOT_KEY })).deleted).toBe(true);
    expect((await b.command("console:next", "thread", "Made Next"))?.text).toMatch(/Created thread/);
  });
});
