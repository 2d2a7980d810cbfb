import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/core/errors.ts";
import type { OpenClawGateway } from "../../src/gateway/index.ts";
import { type FakeOpenClawGateway, RECOVERY_PROMPT, startFakeGateway } from "../fakes/fake-gateway.ts";
import { clientFor, nextEvent, rawClient, TOKEN } from "./helpers.ts";

const A = "agent:main:named:alpha";
const B = "agent:main:named:beta";

describe("fake gateway: sessions", () => {
  let gw: FakeOpenClawGateway;
  let client: OpenClawGateway;

  beforeEach(async () => {
    gw = await startFakeGateway({ token: TOKEN });
    ({ client } = clientFor(gw));
    await client.start();
  });

  afterEach(async () => {
    await client.stop();
    await gw.stop();
  });

  it("keeps labels unique per agent with an exact, case-sensitive match", async () => {
    const first = await client.createSession({ key: A, label: "Budget" });
    expect(await client.createSession({ key: A, label: "Budget" })).toEqual(first);
    await expect(client.createSession({ key: B, label: "Budget" })).rejects.toMatchObject({
      message: "label already in use: Budget",
    });
    await client.createSession({ key: B, label: "budget" });
    await expect(client.patchSession({ key: B, label: "Budget" })).rejects.toMatchObject({
      message: "label already in use: Budget",
    });
    await client.createSession({ key: "agent:other:named:alpha", label: "Budget" });
  });

  it("stores parent and spawnDepth, and refuses spawnDepth without a parent", async () => {
    await expect(client.createSession({ key: A, spawnDepth: 1 })).rejects.toMatchObject({
      message: "spawnDepth requires parentSessionKey",
    });
    // Like OpenClaw, the fake refuses a child of a session that does not exist.
    await expect(
      client.createSession({ key: B, parentSessionKey: "agent:main:threadkeeper:root", spawnDepth: 1 }),
    ).rejects.toMatchObject({ message: "unknown parent session: agent:main:threadkeeper:root" });
    await client.createSession({ key: "agent:main:threadkeeper:root" });
    await client.createSession({ key: B, parentSessionKey: "agent:main:threadkeeper:root", spawnDepth: 1 });
    const [row] = await client.listSessions({ search: "beta" });
    expect(row).toMatchObject({ key: B, parentSessionKey: "agent:main:threadkeeper:root", spawnDepth: 1 });
  });

  it("archives only with expectedSessionId, hides archived rows and refuses turns on them", async () => {
    const { sessionId } = await client.createSession({ key: A, label: "Alpha" });
    await expect(client.patchSession({ key: A, archived: true })).rejects.toMatchObject({
      message: `expectedSessionId required for session lifecycle patch: ${A}`,
    });
    await client.patchSession({ key: A, archived: true, expectedSessionId: sessionId });
    expect(await client.listSessions({})).toEqual([]);
    expect((await client.listSessions({ archived: "all" })).map((r) => r.key)).toEqual([A]);
    expect((await client.listSessions({ archived: true })).map((r) => r.archived)).toEqual([true]);
    await expect(client.chatSend({ sessionKey: A, message: "x", idempotencyKey: "k" })).rejects.toMatchObject({
      message: `Session "${A}" is archived. Restore it before starting new work.`,
    });
    await client.patchSession({ key: A, archived: false, expectedSessionId: sessionId });
    expect((await client.listSessions({ label: "Alpha" })).map((r) => r.key)).toEqual([A]);
  });

  it("filters lists by exact label and by search substring", async () => {
    await client.createSession({ key: A, label: "Budget planning" });
    await client.createSession({ key: B, label: "Travel" });
    expect((await client.listSessions({ label: "Budget planning" })).map((r) => r.key)).toEqual([A]);
    expect(await client.listSessions({ label: "budget planning" })).toEqual([]);
    expect((await client.listSessions({ search: "PLAN" })).map((r) => r.key)).toEqual([A]);
    expect((await client.listSessions({ limit: 1 })).length).toBe(1);
  });

  it("canonicalizes raw and mixed-case keys and records what was sent", async () => {
    expect((await client.createSession({ key: "Raw-Key" })).key).toBe("agent:main:raw-key");
    expect((await client.createSession({ key: "agent:main:named:MiXed" })).key).toBe("agent:main:named:mixed");
    expect(gw.sentSessionKeys()).toEqual(["Raw-Key", "agent:main:named:MiXed"]);
  });
});

describe("fake gateway: turns", () => {
  let gw: FakeOpenClawGateway;
  let client: OpenClawGateway;

  beforeEach(async () => {
    gw = await startFakeGateway({ token: TOKEN });
    ({ client } = clientFor(gw));
    await client.start();
    await client.createSession({ key: A });
  });

  afterEach(async () => {
    await client.stop();
    await gw.stop();
  });

  const finalOf = (runId: string) => nextEvent(client, "chat", (e) => e.runId === runId && e.state !== "delta");

  it("writes user rows with __openclaw metadata and the answer under the run id", async () => {
    const done = finalOf("k1");
    await client.chatSend({ sessionKey: A, message: "hello", idempotencyKey: "k1" });
    await done;
    const history = await client.chatHistory({ sessionKey: A });
    expect(history.messages).toMatchObject([
      { role: "user", text: "hello", seq: 1, idempotencyKey: "k1:user", senderIsOwner: true },
      { role: "assistant", text: "ECHO: hello", seq: 2, runId: "k1" },
    ]);
    expect(history.session).toMatchObject({ status: "done", hasActiveRun: false, activeRunIds: [] });
  });

  it("dedupes an idempotency key within a boot: a cached ack and one run", async () => {
    const gate = gw.model.hold();
    expect(await client.chatSend({ sessionKey: A, message: "x", idempotencyKey: "k1" })).toMatchObject({
      status: "started",
    });
    await gate.reached;
    expect(await client.chatSend({ sessionKey: A, message: "x", idempotencyKey: "k1" })).toEqual({
      runId: "k1",
      status: "in_flight",
    });
    const done = finalOf("k1");
    gate.release();
    await done;
    expect(await client.chatSend({ sessionKey: A, message: "x", idempotencyKey: "k1" })).toMatchObject({
      status: "ok",
    });
    expect(gw.model.turns.length).toBe(1);
    expect(gw.session(A)?.transcript.length).toBe(2);
  });

  it("fails a key re-sent after a restart with chat state error and a terminal-error row", async () => {
    const done = finalOf("k1");
    await client.chatSend({ sessionKey: A, message: "x", idempotencyKey: "k1" });
    await done;
    const back = nextEvent(client, "connected");
    await gw.restart();
    await back;
    const failed = finalOf("k1");
    expect(await client.chatSend({ sessionKey: A, message: "x", idempotencyKey: "k1" })).toMatchObject({
      status: "started",
    });
    expect(await failed).toMatchObject({ state: "error" });
    const history = await client.chatHistory({ sessionKey: A });
    expect(history.messages.at(-1)).toMatchObject({ idempotencyKey: "k1:terminal-error", runId: "k1" });
    expect(history.session.status).toBe("failed");
    expect(gw.model.turns.length).toBe(1);
  });

  it("runs turns of one session in order, one at a time", async () => {
    const gate = gw.model.hold();
    await client.chatSend({ sessionKey: A, message: "first", idempotencyKey: "k1" });
    await client.chatSend({ sessionKey: A, message: "second", idempotencyKey: "k2" });
    await gate.reached;
    expect((await client.chatHistory({ sessionKey: A })).session.activeRunIds).toEqual(["k1", "k2"]);
    const second = finalOf("k2");
    gate.release();
    await second;
    const texts = (await client.chatHistory({ sessionKey: A })).messages.map((m) => m.text);
    expect(texts).toEqual(["first", "ECHO: first", "second", "ECHO: second"]);
  });

  it("plays long answers, delays and text directives", async () => {
    gw.model.next({ chars: 5000, chunks: 5, delayMs: 30 });
    const long = finalOf("k1");
    await client.chatSend({ sessionKey: A, message: "x", idempotencyKey: "k1" });
    expect((await long).text.length).toBe(5000);
    const held = gw.model.waitForHold();
    await client.chatSend({ sessionKey: A, message: "[[hold]] wait", idempotencyKey: "k2" });
    const done = finalOf("k2");
    (await held).release("released!");
    expect((await done).text).toBe("released!");
  });

  it("sends tool events only to connections that asked for tool-events", async () => {
    const without = await rawClient(gw.url, TOKEN, []);
    const withCaps = await rawClient(gw.url, TOKEN, ["tool-events"]);
    gw.model.next({ tools: [{ name: "exec", args: { cmd: "ls" } }] });
    const done = finalOf("k1");
    await client.chatSend({ sessionKey: A, message: "x", idempotencyKey: "k1" });
    await done;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const toolEvents = (events: typeof without.events) =>
      events.filter((e) => e.event === "agent" && e.payload.stream === "tool").length;
    expect(toolEvents(without.events)).toBe(0);
    expect(toolEvents(withCaps.events)).toBe(2);
    expect(without.events.some((e) => e.event === "chat" && e.payload.state === "final")).toBe(true);
    without.close();
    withCaps.close();
  });

  it("sends sessions.changed only to connections that called sessions.subscribe", async () => {
    const plain = await rawClient(gw.url, TOKEN, []);
    const subscriber = await rawClient(gw.url, TOKEN, []);
    const reply = await subscriber.request("sessions.subscribe", {});
    expect(reply).toMatchObject({ ok: true, payload: { subscribed: true } });
    await client.patchSession({ key: A, label: "Alpha" });
    await gw.waitForEvent("sessions.changed", (p) => p.reason === "patch");
    await new Promise((resolve) => setTimeout(resolve, 20));
    const changes = (events: typeof plain.events) => events.filter((e) => e.event === "sessions.changed").length;
    expect(changes(plain.events)).toBe(0);
    expect(changes(subscriber.events)).toBe(1);
    plain.close();
    subscriber.close();
  });

  it("drains a running turn on a graceful restart and refuses new turns meanwhile", async () => {
    await client.createSession({ key: B });
    const gate = gw.model.hold();
    await client.chatSend({ sessionKey: A, message: "long task", idempotencyKey: "k1" });
    await gate.reached;
    const order: string[] = [];
    client.on((e) => {
      if (e.type === "chat" && e.state === "final") order.push("final");
      if (e.type === "shutdown") order.push("shutdown");
    });
    const restarted = gw.restart();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(client.chatSend({ sessionKey: B, message: "y", idempotencyKey: "k2" })).rejects.toMatchObject({
      code: ErrorCode.GatewayAway,
      details: { detailsCode: "gateway-restarting" },
    });
    gate.release();
    await restarted;
    expect(order).toEqual(["final", "shutdown"]);
    expect(gw.session(A)?.row).toMatchObject({ status: "done", abortedLastRun: false });
  });
});

describe("fake gateway: crashes and recovery", () => {
  let gw: FakeOpenClawGateway;
  let client: OpenClawGateway;

  beforeEach(async () => {
    gw = await startFakeGateway({ token: TOKEN, recovery: { delayMs: 500 } });
    ({ client } = clientFor(gw));
    await client.start();
  });

  afterEach(async () => {
    await client.stop();
    await gw.stop();
  });

  async function interrupt(key: string, message: string, idempotencyKey: string): Promise<void> {
    const gate = gw.model.hold();
    await client.chatSend({ sessionKey: key, message, idempotencyKey });
    await gate.reached;
    const back = nextEvent(client, "connected");
    await gw.crash();
    await back;
  }

  it("re-runs an interrupted turn under a new run id with a hidden [System] row", async () => {
    await client.createSession({ key: A });
    const recovered = nextEvent(client, "chat", (e) => e.state === "final");
    await interrupt(A, "plan the budget", "k1");
    const during = await client.chatHistory({ sessionKey: A });
    expect(during.session).toMatchObject({ status: "running", hasActiveRun: true, abortedLastRun: true });
    expect(during.session.activeRunIds?.[0]).not.toBe("k1");
    const final = await recovered;
    expect(final.runId).not.toBe("k1");
    expect(final.text).toBe("RECOVERED: plan the budget");
    const after = await client.chatHistory({ sessionKey: A });
    expect(after.messages.map((m) => [m.role, m.senderIsOwner])).toEqual([
      ["user", true],
      ["user", false],
      ["assistant", undefined],
    ]);
    expect(after.messages[1]?.text).toBe(RECOVERY_PROMPT);
    expect(after.session).toMatchObject({ status: "done", abortedLastRun: false, hasActiveRun: false });
  });

  it("does not recover spawned children (spawnDepth > 0): the row stays running and idle", async () => {
    await client.createSession({ key: "agent:main:threadkeeper:root" });
    await client.createSession({ key: B, parentSessionKey: "agent:main:threadkeeper:root", spawnDepth: 1 });
    await interrupt(B, "child task", "k1");
    await new Promise((resolve) => setTimeout(resolve, 700));
    const history = await client.chatHistory({ sessionKey: B });
    expect(history.session).toMatchObject({ status: "running", hasActiveRun: false, abortedLastRun: false });
    expect(history.messages.map((m) => m.text)).toEqual(["child task"]);
  });

  it("answers a message sent during a pending recovery under another run id; ours gets an empty final", async () => {
    await client.createSession({ key: A });
    await interrupt(A, "first", "k1");
    const empty = nextEvent(client, "chat", (e) => e.runId === "k2");
    const answered = nextEvent(client, "chat", (e) => e.state === "final" && e.text === "ECHO: second");
    await client.chatSend({ sessionKey: A, message: "second", idempotencyKey: "k2" });
    expect(await empty).toMatchObject({ state: "final", text: "" });
    expect((await answered).runId).not.toBe("k2");
    const rows = (await client.chatHistory({ sessionKey: A })).messages;
    expect(rows.map((m) => m.text)).toEqual(["first", RECOVERY_PROMPT, "RECOVERED: first", "second", "ECHO: second"]);
  });

  it("refuses turns on a tombstoned session and recovers it into a new dashboard session", async () => {
    await client.createSession({ key: A, label: "Alpha" });
    await expect(client.recoverSession({ key: A })).rejects.toMatchObject({
      message: "Session recovery requires a restart-tombstoned session.",
    });
    gw.tombstone(A);
    await expect(client.chatSend({ sessionKey: A, message: "x", idempotencyKey: "k1" })).rejects.toMatchObject({
      message: `Session "${A}" ended during restart recovery. Use /new or /reset to start a replacement session.`,
    });
    const answered = nextEvent(client, "chat", (e) => e.state === "final");
    const recovered = await client.recoverSession({ key: A });
    expect(recovered.key).toMatch(/^agent:main:dashboard:[0-9a-f-]{36}$/);
    expect(recovered.continuationRunId).toBe(`restart-recovery-rollover:${recovered.sessionId}`);
    expect((await answered).runId).toBe(recovered.continuationRunId);
    expect(await client.recoverSession({ key: A })).toEqual(recovered);
    const [source] = await client.listSessions({ label: "Alpha", archived: "all" });
    expect(source).toMatchObject({ archived: true, restartRecoveryStatus: "tombstoned" });
  });

  it("aborts running turns on a restart without drain and recovers them on the next boot", async () => {
    await client.createSession({ key: A });
    const gate = gw.model.hold();
    await client.chatSend({ sessionKey: A, message: "task", idempotencyKey: "k1" });
    await gate.reached;
    const aborted = nextEvent(client, "chat", (e) => e.runId === "k1" && e.state === "aborted");
    const recovered = nextEvent(client, "chat", (e) => e.state === "final" && e.runId !== "k1");
    await gw.restart({ drain: false });
    expect((await aborted).stopReason).toBe("restart");
    expect((await recovered).text).toBe("RECOVERED: task");
  });
});
