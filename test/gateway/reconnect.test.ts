import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/core/errors.ts";
import type { GatewayEvent } from "../../src/core/ports.ts";
import type { OpenClawGateway } from "../../src/gateway/index.ts";
import { type FakeGatewayOptions, type FakeOpenClawGateway, startFakeGateway } from "../fakes/fake-gateway.ts";
import { clientFor, eventually, nextEvent, TOKEN } from "./helpers.ts";

describe("reconnects", () => {
  let gw: FakeOpenClawGateway | undefined;
  let client: OpenClawGateway | undefined;

  afterEach(async () => {
    await client?.stop();
    await gw?.stop();
    client = undefined;
    gw = undefined;
  });

  async function setup(options: FakeGatewayOptions = {}) {
    gw = await startFakeGateway({ token: TOKEN, ...options });
    const made = clientFor(gw);
    client = made.client;
    return { gw, client: made.client, events: made.events };
  }

  const lifecycle = (events: GatewayEvent[]) =>
    events.filter((e) => e.type === "connected" || e.type === "disconnected" || e.type === "shutdown");

  it("after a graceful restart: shutdown, close 1012, then a new bootId", async () => {
    const { gw, client, events } = await setup();
    await client.start();
    const firstBoot = client.bootId;
    const reconnected = nextEvent(client, "connected");
    await gw.restart({ restartExpectedMs: 1500 });
    const connected = await reconnected;
    expect(connected.bootId).toBe(gw.bootId);
    expect(connected.bootId).not.toBe(firstBoot);
    expect(connected.previousBootId).toBe(firstBoot);
    expect(lifecycle(events).map((e) => e.type)).toEqual(["connected", "shutdown", "disconnected", "connected"]);
    expect(events.find((e) => e.type === "shutdown")).toMatchObject({ restartExpectedMs: 1500 });
    expect(events.find((e) => e.type === "disconnected")).toMatchObject({ code: 1012 });
    expect(client.connected).toBe(true);
    // A subscription dies with its socket: the client subscribes again on every hello-ok.
    await eventually(() => gw.requestsOf("sessions.subscribe").length === 2);
    expect(gw.requestsOf("sessions.subscribe").map((r) => r.bootId)).toEqual(gw.bootIds);
  });

  it("refuses new requests after `shutdown` but stays connected until the socket closes", async () => {
    const { gw, client } = await setup();
    await client.start();
    const shutdown = nextEvent(client, "shutdown");
    gw.broadcast("shutdown", { reason: "gateway stopping" });
    await shutdown;
    expect(client.connected).toBe(true);
    expect(client.accepting).toBe(false);
    const error = await client.listSessions({}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.GatewayAway });
  });

  it("after a crash: close 1006, then a new bootId (through a period when the port is closed)", async () => {
    const { gw, client, events } = await setup();
    await client.start();
    const firstBoot = client.bootId;
    const reconnected = nextEvent(client, "connected");
    await gw.crash({ downMs: 300 });
    const connected = await reconnected;
    expect(connected.previousBootId).toBe(firstBoot);
    expect(connected.bootId).not.toBe(firstBoot);
    expect(events.find((e) => e.type === "disconnected")).toMatchObject({ code: 1006 });
    expect(events.some((e) => e.type === "shutdown")).toBe(false);
  });

  it("retries UNAVAILABLE/startup-sidecars during startup and start() resolves once admitted", async () => {
    const { gw, client } = await setup({ startupUnavailableMs: 1200 });
    await client.start();
    const connects = gw.requestsOf("connect").length;
    expect(connects).toBeGreaterThanOrEqual(2);
    // retryAfterMs is 500: the client waits for it instead of hammering the gateway.
    expect(connects).toBeLessThanOrEqual(4);
    expect(client.connected).toBe(true);
  });

  it("start() rejects with GATEWAY_AWAY when nothing listens, and connects later by itself", async () => {
    const { gw: first } = await setup();
    const url = first.url;
    await first.stop();
    const { client: early } = clientFor({ url, token: TOKEN } as FakeOpenClawGateway);
    client = early;
    const error = await early.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.GatewayAway });
    expect(early.connected).toBe(false);
    const connected = nextEvent(early, "connected");
    gw = await startFakeGateway({ token: TOKEN, port: first.port });
    expect((await connected).bootId).toBe(gw.bootId);
  });

  it("closes with 4000 when the gateway goes silent for 2 tick intervals, then reconnects", async () => {
    const { gw, client: plain } = await setup({ tickIntervalMs: 100 });
    const { client: watched } = clientFor(gw, { handshakeTimeoutMs: 200 });
    await plain.stop();
    client = watched;
    await watched.start();
    const bootId = watched.bootId;
    const dropped = nextEvent(watched, "disconnected");
    const started = Date.now();
    gw.silence();
    expect((await dropped).code).toBe(4000);
    // Silence is counted from the last tick, which came up to one interval before silence().
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    const back = nextEvent(watched, "connected");
    gw.silence(false);
    const connected = await back;
    expect(connected.bootId).toBe(bootId);
    expect(connected.previousBootId).toBe(bootId);
  });

  it("keeps a quiet but ticking connection open", async () => {
    // Generous interval: a loaded CI box can stall the event loop for tens of ms.
    const { client, events } = await setup({ tickIntervalMs: 150 });
    await client.start();
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(events.filter((e) => e.type === "disconnected")).toEqual([]);
  });

  it("reconnects to the same boot after a dropped socket", async () => {
    const { gw, client } = await setup();
    await client.start();
    const back = nextEvent(client, "connected");
    await gw.dropConnections();
    expect((await back).bootId).toBe(gw.bootId);
  });
});
