import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BotError, ErrorCode } from "../../src/core/errors.ts";
import { createOpenClawGateway, type OpenClawGateway } from "../../src/gateway/index.ts";
import { type FakeOpenClawGateway, startFakeGateway } from "../fakes/fake-gateway.ts";
import { captureLogger, clientFor, TOKEN } from "./helpers.ts";

const KEY = "agent:main:named:budget";

async function rejection(promise: Promise<unknown>): Promise<BotError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BotError);
  return error as BotError;
}

describe("OpenClawGateway against the fake gateway", () => {
  let gw: FakeOpenClawGateway;
  let client: OpenClawGateway;

  beforeEach(async () => {
    gw = await startFakeGateway({ token: TOKEN });
    ({ client } = clientFor(gw));
  });

  afterEach(async () => {
    await client.stop();
    await gw.stop();
  });

  it("waits for the challenge, connects as the local backend and remembers the bootId", async () => {
    const seen: string[] = [];
    client.on((event) => {
      if (event.type === "connected") seen.push(`${event.bootId}<-${event.previousBootId}`);
    });
    await client.start();
    expect(client.connected).toBe(true);
    expect(client.bootId).toBe(gw.bootId);
    expect(seen).toEqual([`${gw.bootId}<-undefined`]);
    const [connect] = gw.requestsOf("connect");
    expect(connect?.params).toEqual({
      minProtocol: 4,
      maxProtocol: 4,
      client: { id: "gateway-client", mode: "backend", version: "0.1.0", platform: "linux" },
      role: "operator",
      scopes: ["operator.read", "operator.write", "operator.admin"],
      caps: ["tool-events", "exec-approvals"],
      auth: { token: TOKEN },
    });
  });

  it("correlates concurrent requests even when answers come back out of order", async () => {
    await client.start();
    await client.createSession({ key: KEY, label: "Budget" });
    gw.fault("sessions.list", { delayMs: 150 });
    const slow = client.listSessions({});
    const fast = client.chatHistory({ sessionKey: KEY });
    const first = await Promise.race([slow.then(() => "list"), fast.then(() => "history")]);
    expect(first).toBe("history");
    expect((await slow).map((row) => row.label)).toEqual(["Budget"]);
    expect((await fast).sessionKey).toBe(KEY);
  });

  it("times out a request with TIMEOUT and the method, honouring a per-call timeout", async () => {
    await client.start();
    gw.fault("sessions.list", { noReply: true });
    const started = Date.now();
    const error = await rejection(client.listSessions({}, { timeoutMs: 100 }));
    expect(error.code).toBe(ErrorCode.Timeout);
    expect(error.details).toMatchObject({ method: "sessions.list", timeoutMs: 100 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(client.connected).toBe(true);
  });

  it("maps gateway errors to GATEWAY_ERROR with code, details code and retryable", async () => {
    await client.start();
    await client.createSession({ key: KEY, label: "Budget" });
    const clash = await rejection(client.createSession({ key: "agent:main:named:other", label: "Budget" }));
    expect(clash.code).toBe(ErrorCode.GatewayError);
    expect(clash.message).toBe("label already in use: Budget");
    expect(clash.details).toMatchObject({
      method: "sessions.create",
      gatewayCode: "INVALID_REQUEST",
      retryable: false,
    });

    gw.fault("chat.abort", {
      error: { code: "FORBIDDEN", message: "missing scope", details: { code: "MISSING_SCOPE" } },
    });
    const forbidden = await rejection(client.chatAbort({ sessionKey: KEY }));
    expect(forbidden.details).toMatchObject({ gatewayCode: "FORBIDDEN", detailsCode: "MISSING_SCOPE" });
  });

  it("maps UNAVAILABLE (restart drain) to GATEWAY_AWAY with retryAfterMs", async () => {
    await client.start();
    gw.fault("chat.send", {
      error: {
        code: "UNAVAILABLE",
        message: "chat.send unavailable during gateway restart",
        retryable: true,
        retryAfterMs: 1000,
        details: { reason: "gateway-restarting" },
      },
    });
    const error = await rejection(client.chatSend({ sessionKey: KEY, message: "hi", idempotencyKey: "k1" }));
    expect(error.code).toBe(ErrorCode.GatewayAway);
    expect(error.details).toMatchObject({ detailsCode: "gateway-restarting", retryable: true, retryAfterMs: 1000 });
  });

  it("fails requests at once with GATEWAY_AWAY before start, while down and after stop", async () => {
    expect((await rejection(client.listSessions({}))).code).toBe(ErrorCode.GatewayAway);
    await client.start();
    const crashed = gw.crash({ downMs: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await rejection(client.listSessions({}))).code).toBe(ErrorCode.GatewayAway);
    // Failed at once: the gateway is still down, the request did not wait for a reconnect.
    expect(gw.bootId).toBeUndefined();
    await crashed;
    await client.stop();
    expect((await rejection(client.listSessions({}))).code).toBe(ErrorCode.GatewayAway);
  });

  it("fails requests in flight with GATEWAY_AWAY when the socket drops", async () => {
    await client.start();
    gw.fault("sessions.list", { noReply: true });
    const pending = client.listSessions({});
    await gw.waitForRequest("sessions.list");
    await gw.dropConnections();
    expect((await rejection(pending)).code).toBe(ErrorCode.GatewayAway);
  });

  it("maps the high-level methods onto the wire", async () => {
    await client.start();
    const created = await client.createSession({ key: KEY, label: "Budget" });
    expect(created).toMatchObject({ key: KEY, label: "Budget" });
    await client.patchSession({ key: KEY, label: null });
    const ack = await client.chatSend({ sessionKey: KEY, message: "hi", idempotencyKey: "k1" });
    expect(ack).toEqual({ runId: "k1", status: "started" });
    expect(gw.requestsOf("chat.send")[0]?.params).toEqual({
      sessionKey: KEY,
      message: "hi",
      idempotencyKey: "k1",
      deliver: false,
    });
    expect(gw.requestsOf("sessions.patch")[0]?.params).toEqual({ key: KEY, label: null });
    // The real gateway's params are closed objects: stray fields of the caller never reach the wire.
    const extra = { sessionKey: KEY, message: "yo", idempotencyKey: "k2", turnId: "t", limit: undefined };
    await client.chatSend(extra);
    await client.chatHistory(extra);
    expect(gw.requestsOf("chat.send")[1]?.params).toEqual({
      sessionKey: KEY,
      message: "yo",
      idempotencyKey: "k2",
      deliver: false,
    });
    expect(gw.requestsOf("chat.history")[0]?.params).toEqual({ sessionKey: KEY });
  });

  it("rejects start() with GATEWAY_AWAY on a wrong token and keeps the token out of the error", async () => {
    const { client: wrong } = clientFor(gw, { token: "wrong-token-123" });
    const error = await rejection(wrong.start());
    await wrong.stop();
    expect(error.code).toBe(ErrorCode.GatewayAway);
    expect(error.message).toContain("token mismatch");
  });
});

describe("URL policy", () => {
  const make = (url: string) => () => createOpenClawGateway({ url, token: TOKEN });

  it("refuses ws:// to a host that is not loopback", () => {
    for (const url of ["ws://example.com:18789", "ws://10.0.0.5:18789", "ws://128.0.0.1"]) {
      expect(make(url)).toThrow(expect.objectContaining({ code: ErrorCode.Config }));
    }
  });

  it("accepts ws:// to loopback and wss:// anywhere", () => {
    for (const url of ["ws://127.0.0.1:18789", "ws://127.1.2.3", "ws://localhost:1", "ws://[::1]:18789"]) {
      expect(make(url)).not.toThrow();
    }
    expect(make("wss://gateway.example.com")).not.toThrow();
    expect(make("http://127.0.0.1")).toThrow(expect.objectContaining({ code: ErrorCode.Config }));
  });
});

describe("secrets", () => {
  it("never writes the token to a log line, even when the gateway echoes it", async () => {
    const gw = await startFakeGateway({ token: TOKEN, tickIntervalMs: 100 });
    const { logger, lines } = captureLogger();
    const { client } = clientFor(gw, { logger });
    try {
      await client.start();
      gw.fault("sessions.list", { error: { code: "INVALID_REQUEST", message: `bad token ${TOKEN}` } });
      const error = await client.listSessions({}).catch((e: unknown) => e as BotError);
      expect((error as BotError).message).not.toContain(TOKEN);
      await client.createSession({ key: KEY });
      await client.chatSend({ sessionKey: KEY, message: "x", idempotencyKey: "k" });
      await gw.restart();
      await gw.waitForConnections(1);
      const { client: wrong } = clientFor(gw, { logger, token: `${TOKEN}-wrong` });
      await wrong.start().catch(() => undefined);
      await wrong.stop();
    } finally {
      await client.stop();
      await gw.stop();
    }
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.filter((line) => line.includes(TOKEN))).toEqual([]);
  });
});
