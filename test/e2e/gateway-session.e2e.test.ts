/**
 * Acceptance 1 and 2 of issue 3 against one real gateway (one start fewer keeps the suite lean):
 * 1. connect (protocol 4, bootId), create a named session with a label, run a turn, see the echo through
 *    events, find it in sessions.list and chat.history; the fake model's tool-call and HTTP 500 modes work.
 * 2. graceful restarts: SIGTERM (stop, start again on the same state) and SIGUSR2 (in-process, same pid):
 *    `shutdown` then close 1012, a new bootId, and the same key continues the same sessionId with the earlier
 *    turns in what the model receives.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPENCLAW_VERSION } from "../../scripts/openclaw-paths.ts";
import { namedKey, startE2eGateway } from "./harness/e2e-context.ts";
import { type FakeModel, startFakeModel } from "./harness/fake-model.ts";
import type { Gateway } from "./harness/gateway.ts";
import { stripWrapping } from "./harness/model-messages.ts";
import type { RawClient } from "./harness/raw-client.ts";
import { history, rowText, sendTurn } from "./harness/turns.ts";
import { until } from "./support/waits.ts";

let model: FakeModel;
let gateway: Gateway;

beforeAll(async () => {
  model = await startFakeModel();
  gateway = await startE2eGateway(model, "session");
});

afterAll(async () => {
  await gateway?.cleanup();
  await model?.close();
});

describe("real gateway: connect, session, turn", () => {
  let client: RawClient;

  beforeAll(async () => {
    client = await gateway.connect();
  });

  afterAll(() => client?.close());

  it("answers connect with hello-ok, protocol 4 and a bootId", () => {
    const { hello } = client;
    expect(hello.protocol).toBe(4);
    expect(hello.server.version).toBe(OPENCLAW_VERSION);
    expect(hello.server.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(hello.auth.scopes).toEqual(["operator.read", "operator.write", "operator.admin"]);
    expect(hello.features.events).toContain("shutdown");
    expect(hello.features.methods).toEqual(expect.arrayContaining(["chat.send", "chat.history", "sessions.create"]));
  });

  it("creates a named session, runs a turn and shows it in sessions.list and chat.history", async () => {
    const key = namedKey("budget-planning");
    const created = await client.request("sessions.create", { key, label: "Budget planning" });
    expect(created).toMatchObject({ ok: true, key, entry: { label: "Budget planning" } });
    const sessionId = String(created.sessionId);

    const turn = await sendTurn(client, key, "Plan my budget: rent 1200, food 400");
    expect(turn).toMatchObject({ state: "final", text: "ECHO: Plan my budget: rent 1200, food 400" });
    const deltas = client.events.slice(turn.since).filter((e) => e.event === "chat" && e.payload.runId === turn.runId);
    expect(deltas.map((e) => e.payload.state)).toContain("delta");

    const seen = model.requests.filter((r) => r.userText === "Plan my budget: rent 1200, food 400");
    expect(seen).toHaveLength(1);
    expect(seen[0]?.messages[0]?.role).toBe("system");

    const listed = await client.request<{ sessions: Record<string, unknown>[] }>("sessions.list", {
      label: "Budget planning",
    });
    expect(listed.sessions).toHaveLength(1);
    expect(listed.sessions[0]).toMatchObject({ key, sessionId, label: "Budget planning", status: "done" });

    const h = await history(client, key);
    expect(h.sessionId).toBe(sessionId);
    expect(h.messages.map((m) => [m.role, rowText(m)])).toEqual([
      ["user", "Plan my budget: rent 1200, food 400"],
      ["assistant", "ECHO: Plan my budget: rent 1200, food 400"],
    ]);
    expect(h.messages[0]?.__openclaw?.idempotencyKey).toBe(`${turn.runId}:user`);
    expect(h.messages[1]?.__openclaw?.runId).toBe(turn.runId);
  });

  it("answers `agent` twice on one request id (accepted, then final)", async () => {
    const key = namedKey("two-phase");
    const { accepted, final } = client.requestTwoPhase("agent", {
      sessionKey: key,
      message: "two phases",
      idempotencyKey: randomUUID(),
      deliver: false,
    });
    expect(await accepted).toMatchObject({ status: "accepted", sessionKey: key });
    expect(await final).toMatchObject({ status: "ok", result: { payloads: [{ text: "ECHO: two phases" }] } });
  });

  it("runs a tool the fake model calls, and the follow-up request gets the tool result", async () => {
    const key = namedKey("tools");
    model.when("list the workspace", { kind: "tool", name: "ls", args: { path: "." }, finalText: "Listed it." }, 1);
    const watcher = await gateway.connect({ caps: ["tool-events"] });
    const turn = await sendTurn(watcher, key, "list the workspace");
    expect(turn.text).toBe("Listed it.");
    const tool = watcher.events
      .slice(turn.since)
      .filter((e) => e.event === "agent" && e.payload.stream === "tool" && e.payload.runId === turn.runId)
      .map((e) => (e.payload.data as { phase?: string; name?: string }) ?? {});
    expect(tool.map((d) => [d.phase, d.name])).toEqual(
      expect.arrayContaining([
        ["start", "ls"],
        ["result", "ls"],
      ]),
    );
    const followUp = await model.waitForRequest((r) => r.kind === "tool-followup");
    expect(followUp.messages.find((m) => m.role === "tool")?.text).toContain("AGENTS.md");
    await watcher.close();
  });

  it("retries a model HTTP 500 on its own and then answers", async () => {
    const key = namedKey("flaky-model");
    const turn = await sendTurn(client, key, "FAIL500 then fine");
    expect(turn).toMatchObject({ state: "final", text: "ECHO: FAIL500 then fine" });
    const attempts = model.requests.filter((r) => r.userText === "FAIL500 then fine");
    expect(attempts.map((r) => r.mode)).toEqual(["error", "echo"]);
  });
});

const KEY = namedKey("restart-durability");

describe("real gateway: graceful restarts keep the session", () => {
  let sessionId: string;
  const bootIds: string[] = [];

  beforeAll(async () => {
    const client = await gateway.connect();
    bootIds.push(client.bootId);
    const created = await client.request("sessions.create", { key: KEY, label: "Restart durability" });
    sessionId = String(created.sessionId);
    expect((await sendTurn(client, KEY, "first message")).text).toBe("ECHO: first message");
    await client.close();
  });

  /** The conversation the model received for the turn with `text`: no system prompt, no internal context. */
  function modelSaw(text: string): string[][] {
    const request = model.requests.find((r) => r.userText === text);
    return (request?.messages ?? [])
      .filter((m) => m.role !== "system" && !m.text.startsWith("<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT"))
      .map((m) => [m.role, stripWrapping(m.text)]);
  }

  async function expectContinued(client: RawClient, text: string, earlier: string[]): Promise<void> {
    expect((await sendTurn(client, KEY, text)).text).toBe(`ECHO: ${text}`);
    const h = await history(client, KEY);
    expect(h.sessionId).toBe(sessionId);
    const listed = await client.request<{ sessions: { key: string; sessionId: string }[] }>("sessions.list", {});
    expect(listed.sessions.find((s) => s.key === KEY)?.sessionId).toBe(sessionId);
    const conversation = earlier.flatMap((t) => [
      ["user", t],
      ["assistant", `ECHO: ${t}`],
    ]);
    expect(modelSaw(text)).toEqual([...conversation, ["user", text]]);
    expect(h.messages.map(rowText)).toEqual([...earlier, text].flatMap((t) => [t, `ECHO: ${t}`]));
  }

  it("SIGTERM: shutdown, close 1012, exit 0; after a new start a new bootId and the same session", async () => {
    const client = await gateway.connect();
    const stopping = gateway.stop();
    const shutdown = await client.waitForEvent((e) => e.event === "shutdown", 15_000);
    expect(shutdown.payload).toEqual({ reason: "gateway stopping" });
    const closed = await client.closed;
    expect(closed).toMatchObject({ code: 1012, reason: "service restart" });
    expect(closed.at).toBeGreaterThanOrEqual(shutdown.at);
    expect(await stopping).toEqual({ code: 0, signal: null });

    await gateway.start();
    const again = await gateway.connect();
    expect(again.bootId).not.toBe(bootIds.at(-1));
    bootIds.push(again.bootId);
    await expectContinued(again, "second message", ["first message"]);
    await again.close();
  });

  it("SIGUSR2: restarting shutdown with restartExpectedMs, close 1012, same pid, new bootId, same session", async () => {
    const client = await gateway.connect();
    const pid = gateway.pid;
    const restarted = gateway.restartInProcess();
    const shutdown = await client.waitForEvent((e) => e.event === "shutdown", 15_000);
    expect(shutdown.payload).toMatchObject({ reason: "gateway restarting", restartExpectedMs: expect.any(Number) });
    expect(await client.closed).toMatchObject({ code: 1012, reason: "service restart" });
    const hello = await restarted;
    expect(gateway.pid).toBe(pid);

    const again = await gateway.connect();
    expect(again.bootId).toBe(hello.server.bootId);
    expect(bootIds).not.toContain(again.bootId);
    bootIds.push(again.bootId);
    await expectContinued(again, "third message", ["first message", "second message"]);
    await again.close();
  });

  it("sent the fake model nothing it did not expect", () => {
    expect(model.unexpected()).toEqual([]);
  });

  it("looked up no host but clawhub.ai, which the offline guard refused", async () => {
    const blocked = () => {
      const output = readFileSync(gateway.paths.consoleLog, "utf8");
      return new Set([...output.matchAll(/\[offline-guard\] blocked DNS lookup of (\S+)/g)].map((m) => m[1]));
    };
    // The post-ready plugin-catalog prewarm runs on every boot, later when the machine is busy (a boot
    // restarted before it fired never looks up anything); nothing else may try to leave the machine.
    await until("the catalog prewarm's lookup", () => blocked().size > 0, 60_000);
    expect([...blocked()]).toEqual(["clawhub.ai"]);
  });
});
