import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GatewayEvent } from "../../src/core/ports.ts";
import { EventRouter } from "../../src/gateway/events.ts";
import type { OpenClawGateway } from "../../src/gateway/index.ts";
import { silentLogger } from "../../src/gateway/log.ts";
import { type FakeOpenClawGateway, startFakeGateway } from "../fakes/fake-gateway.ts";
import { clientFor, nextEvent, TOKEN } from "./helpers.ts";

const KEY = "agent:main:named:events";

describe("events over the wire", () => {
  let gw: FakeOpenClawGateway;
  let client: OpenClawGateway;
  let events: GatewayEvent[];

  beforeEach(async () => {
    gw = await startFakeGateway({ token: TOKEN });
    ({ client, events } = clientFor(gw));
    await client.start();
    await client.createSession({ key: KEY, label: "Events" });
  });

  afterEach(async () => {
    await client.stop();
    await gw.stop();
  });

  const chats = (runId: string) =>
    events.filter((e): e is Extract<GatewayEvent, { type: "chat" }> => e.type === "chat" && e.runId === runId);

  it("streams chat deltas with cumulative text, then the final", async () => {
    const final = nextEvent(client, "chat", (e) => e.state === "final");
    await client.chatSend({ sessionKey: KEY, message: "hello world", idempotencyKey: "run-1" });
    expect((await final).text).toBe("ECHO: hello world");
    const texts = chats("run-1").map((e) => `${e.state}:${e.text}`);
    expect(texts.length).toBe(4);
    expect(texts.at(-1)).toBe("final:ECHO: hello world");
    for (const [index, event] of chats("run-1").entries()) {
      if (index > 0) expect(event.text.startsWith(chats("run-1")[index - 1]?.text ?? "")).toBe(true);
      expect(event.sessionKey).toBe(KEY);
    }
  });

  it("routes tool events (start, result) with name and args before the answer", async () => {
    gw.model.next({ tools: [{ name: "web_search", args: { q: "budget" } }], text: "Found it." });
    const final = nextEvent(client, "chat", (e) => e.state === "final");
    await client.chatSend({ sessionKey: KEY, message: "search", idempotencyKey: "run-2" });
    await final;
    const tools = events.filter((e) => e.type === "tool");
    expect(tools).toMatchObject([
      { type: "tool", runId: "run-2", sessionKey: KEY, phase: "start", name: "web_search", args: { q: "budget" } },
      { type: "tool", runId: "run-2", sessionKey: KEY, phase: "result", name: "web_search" },
    ]);
    expect(tools[0]).toHaveProperty("toolCallId");
  });

  it("routes a model error as chat state error", async () => {
    gw.model.next({ error: "model exploded" });
    const failed = nextEvent(client, "chat", (e) => e.state === "error");
    await client.chatSend({ sessionKey: KEY, message: "x", idempotencyKey: "run-3" });
    expect(await failed).toMatchObject({ runId: "run-3", errorMessage: "model exploded", text: "" });
  });

  it("aborts a held run with chat.abort: chat state aborted with the partial text", async () => {
    const gate = gw.model.hold({ text: "one two three" });
    const aborted = nextEvent(client, "chat", (e) => e.state === "aborted");
    await client.chatSend({ sessionKey: KEY, message: "x", idempotencyKey: "run-4" });
    await gate.reached;
    await client.chatAbort({ sessionKey: KEY, runId: "run-4" });
    const event = await aborted;
    expect(event.runId).toBe("run-4");
    expect(event.text).toBe("one t");
  });

  it("routes sessions.changed as session events with the row", async () => {
    const changed = nextEvent(client, "session", (e) => e.reason === "patch");
    await client.patchSession({ key: KEY, label: "Renamed" });
    expect(await changed).toMatchObject({ sessionKey: KEY, session: { key: KEY, label: "Renamed" } });
  });
});

describe("EventRouter", () => {
  const frame = (event: string, payload: unknown) => ({ type: "event" as const, event, payload });
  const chat = (payload: Record<string, unknown>) =>
    frame("chat", { runId: "r", sessionKey: "agent:main:named:x", seq: 1, ...payload });

  it("accumulates deltaText when a delta has no message, and honours replace", () => {
    const router = new EventRouter(silentLogger);
    expect(router.route(chat({ state: "delta", deltaText: "Hel" }))).toMatchObject({ text: "Hel" });
    expect(router.route(chat({ state: "delta", deltaText: "lo" }))).toMatchObject({ text: "Hello" });
    expect(router.route(chat({ state: "delta", deltaText: "Bye", replace: true }))).toMatchObject({ text: "Bye" });
    expect(router.route(chat({ state: "final" }))).toMatchObject({ state: "final", text: "Bye" });
  });

  it("gives an empty text to a final without message or deltas (a run queued behind recovery)", () => {
    const router = new EventRouter(silentLogger);
    expect(router.route(chat({ state: "final" }))).toMatchObject({ state: "final", text: "" });
  });

  it("flattens string and part-array message content, skipping non-text parts", () => {
    const router = new EventRouter(silentLogger);
    const content = [
      { type: "thinking", thinking: "hmm" },
      { type: "text", text: "a" },
      { type: "text", text: "b" },
    ];
    expect(router.route(chat({ state: "final", message: { role: "assistant", content } }))).toMatchObject({
      text: "a\nb",
    });
    expect(router.route(chat({ state: "final", message: { content: "plain" } }))).toMatchObject({ text: "plain" });
  });

  it("ignores status states, unknown events and unreadable payloads, and tolerates extra fields", () => {
    const router = new EventRouter(silentLogger);
    expect(router.route(chat({ state: "status", phase: "starting_model" }))).toBeUndefined();
    expect(router.route(frame("presence", {}))).toBeUndefined();
    expect(router.route(frame("chat", { nope: true }))).toBeUndefined();
    expect(router.route(chat({ state: "final", futureField: { x: 1 }, message: { content: "ok" } }))).toMatchObject({
      text: "ok",
    });
  });

  it("reads sessions.changed with the row nested or flattened, and null activeRunIds", () => {
    const router = new EventRouter(silentLogger);
    const flat = frame("sessions.changed", {
      sessionKey: "agent:main:named:x",
      reason: "send",
      status: "running",
      activeRunIds: null,
      abortedLastRun: true,
    });
    expect(router.route(flat)).toMatchObject({
      type: "session",
      sessionKey: "agent:main:named:x",
      session: { key: "agent:main:named:x", status: "running", abortedLastRun: true, activeRunIds: undefined },
    });
  });

  it("maps the shutdown payload", () => {
    const router = new EventRouter(silentLogger);
    expect(router.route(frame("shutdown", { reason: "gateway restarting", restartExpectedMs: 1500 }))).toEqual({
      type: "shutdown",
      reason: "gateway restarting",
      restartExpectedMs: 1500,
    });
  });
});
