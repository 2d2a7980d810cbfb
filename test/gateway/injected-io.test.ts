import { describe, expect, it } from "vitest";
import type { GatewayEvent } from "../../src/core/ports.ts";
import { Backoff } from "../../src/gateway/backoff.ts";
import { createOpenClawGateway, type GatewaySocket } from "../../src/gateway/index.ts";
import { ChatHistoryResultSchema, toChatHistory } from "../../src/gateway/results.ts";
import type { SocketEventMap } from "../../src/gateway/socket.ts";

/** Timers and a clock the test moves by hand. */
class ManualTime {
  now = 0;
  #next = 1;
  readonly #due = new Map<number, { at: number; callback: () => void }>();

  setTimeout = (callback: () => void, ms: number): unknown => {
    const id = this.#next++;
    this.#due.set(id, { at: this.now + ms, callback });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.#due.delete(handle as number);
  };

  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const [id, timer] = [...this.#due.entries()].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
      if (id === undefined || !timer || timer.at > end) break;
      this.#due.delete(id);
      this.now = timer.at;
      timer.callback();
    }
    this.now = end;
  }
}

/** An in-memory socket: the test plays the server. */
class MemorySocket implements GatewaySocket {
  readonly sent: Record<string, unknown>[] = [];
  closed: { code?: number | undefined; reason?: string | undefined } | undefined;
  readonly #listeners: { [K in keyof SocketEventMap]: ((event: SocketEventMap[K]) => void)[] } = {
    open: [],
    message: [],
    close: [],
    error: [],
  };

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
  }

  addEventListener<K extends keyof SocketEventMap>(type: K, listener: (event: SocketEventMap[K]) => void): void {
    this.#listeners[type].push(listener);
  }

  serverSends(frame: Record<string, unknown>): void {
    for (const listener of this.#listeners.message) listener({ data: JSON.stringify(frame) });
  }

  serverCloses(code: number, reason = ""): void {
    for (const listener of this.#listeners.close) listener({ code, reason });
  }
}

function hello(bootId: string, tickIntervalMs: number) {
  return { type: "hello-ok", protocol: 4, server: { bootId }, policy: { tickIntervalMs }, extra: { ignored: true } };
}

describe("client with injected socket, clock and timers", () => {
  function setup() {
    const time = new ManualTime();
    const sockets: MemorySocket[] = [];
    const events: GatewayEvent[] = [];
    const client = createOpenClawGateway({
      url: "ws://127.0.0.1:18789",
      token: "t0ken-value",
      createSocket: () => {
        const socket = new MemorySocket();
        sockets.push(socket);
        return socket;
      },
      now: () => time.now,
      random: () => 0.5,
      setTimeout: time.setTimeout,
      clearTimeout: time.clearTimeout,
    });
    client.on((event) => events.push(event));
    return { time, sockets, events, client };
  }

  function handshake(socket: MemorySocket, bootId: string, tickIntervalMs = 1000): void {
    expect(socket.sent).toEqual([]);
    socket.serverSends({ type: "event", event: "connect.challenge", payload: { nonce: "n", ts: 1 } });
    const connect = socket.sent[0];
    expect(connect).toMatchObject({ type: "req", method: "connect" });
    socket.serverSends({ type: "res", id: connect?.id, ok: true, payload: hello(bootId, tickIntervalMs) });
  }

  it("sends connect only after the challenge, and watches ticks on the injected clock", async () => {
    const { time, sockets, events, client } = setup();
    const started = client.start();
    handshake(sockets[0] as MemorySocket, "boot-1");
    await started;
    time.advance(1500);
    sockets[0]?.serverSends({ type: "event", event: "tick", payload: { ts: 1 } });
    time.advance(1999);
    expect(sockets[0]?.closed).toBeUndefined();
    time.advance(2);
    expect(sockets[0]?.closed).toEqual({ code: 4000, reason: "tick timeout" });
    expect(events.at(-1)).toEqual({ type: "disconnected", code: 4000, reason: "tick timeout" });
    // Full jitter with random 0.5 and a fresh backoff: 125 ms.
    time.advance(124);
    expect(sockets.length).toBe(1);
    time.advance(1);
    expect(sockets.length).toBe(2);
    handshake(sockets[1] as MemorySocket, "boot-2");
    expect(events.at(-1)).toEqual({ type: "connected", bootId: "boot-2", previousBootId: "boot-1" });
  });

  it("retries a refused connect (closed before any frame) within 200 ms, however many in a row", async () => {
    const { time, sockets, client } = setup();
    void client.start().catch(() => undefined);
    for (let attempt = 1; attempt <= 8; attempt++) {
      expect(sockets).toHaveLength(attempt);
      sockets[attempt - 1]?.serverCloses(1006);
      time.advance(150); // random 0.5: 200 × (0.5 + 0.25)
    }
    expect(sockets).toHaveLength(9);
    // A socket that heard the gateway and then closed backs off as before (125 ms first, with random 0.5).
    sockets[8]?.serverSends({ type: "event", event: "connect.challenge", payload: { nonce: "n", ts: 1 } });
    sockets[8]?.serverCloses(1006);
    time.advance(124);
    expect(sockets).toHaveLength(9);
    time.advance(1);
    expect(sockets).toHaveLength(10);
    await client.stop();
  });

  it("times out requests on the injected timers and ignores a late close of an old socket", async () => {
    const { time, sockets, client } = setup();
    const started = client.start();
    handshake(sockets[0] as MemorySocket, "boot-1", 60_000);
    await started;
    const pending = client.listSessions({}, { timeoutMs: 500 });
    time.advance(500);
    await expect(pending).rejects.toMatchObject({ code: "TIMEOUT", details: { method: "sessions.list" } });
    sockets[0]?.serverCloses(1012, "service restart");
    time.advance(1000);
    handshake(sockets[1] as MemorySocket, "boot-2", 60_000);
    sockets[0]?.serverCloses(1006);
    expect(client.connected).toBe(true);
  });
});

describe("Backoff", () => {
  it("doubles the jitter window up to the cap and starts over after reset", () => {
    const backoff = new Backoff({ baseMs: 250, maxMs: 15_000, random: () => 0.999_999 });
    const delays = Array.from({ length: 9 }, () => backoff.next());
    expect(delays).toEqual([249, 499, 999, 1999, 3999, 7999, 14_999, 14_999, 14_999]);
    backoff.reset();
    expect(backoff.next()).toBe(249);
    expect(new Backoff({ baseMs: 250, maxMs: 15_000, random: () => 0 }).next()).toBe(0);
  });

  it("probes within 200 ms while nothing listens, for two minutes after the start or a stable connection", () => {
    let now = 0;
    const probe = { everyMs: 200, windowMs: 120_000, now: () => now };
    const backoff = new Backoff({ baseMs: 250, maxMs: 5_000, random: () => 0.999_999, probe });
    // A gateway restarting after a crash refuses connections for ~10 s: each retry comes within 200 ms.
    expect(Array.from({ length: 50 }, () => backoff.next(true)).every((d) => d >= 100 && d < 200)).toBe(true);
    // A refusal by a gateway that answered (not a refused connect) still backs off.
    expect(backoff.next(false)).toBe(249);
    now = 120_001;
    expect(backoff.next(true)).toBe(499);
    backoff.reset();
    expect(backoff.next(true)).toBeLessThan(200);
  });
});

describe("chat.history parsing", () => {
  it("flattens rows, reads __openclaw and tolerates odd rows and fields", () => {
    const raw = {
      sessionKey: "agent:main:named:x",
      sessionId: "s1",
      messages: [
        { role: "user", content: "hi", __openclaw: { id: "a", seq: 5, idempotencyKey: "k:user", senderIsOwner: true } },
        { role: "assistant", content: [{ type: "text", text: "yo" }], stopReason: "stop", __openclaw: { runId: "k" } },
        "not a row",
        { role: "assistant", text: "error row", __openclaw: { seq: 9, idempotencyKey: "k:terminal-error" } },
      ],
      sessionInfo: { status: "done", activeRunIds: null, hasActiveRun: false, futureField: 1 },
      inFlightRun: { runId: "r9", text: "…" },
      unknownTopLevel: true,
    };
    const parsed = ChatHistoryResultSchema.parse(raw);
    const history = toChatHistory(parsed, "agent:main:named:x");
    expect(history.messages).toEqual([
      { role: "user", text: "hi", seq: 5, idempotencyKey: "k:user", senderIsOwner: true },
      { role: "assistant", text: "yo", seq: 6, runId: "k", stopReason: "stop" },
      { role: "assistant", text: "error row", seq: 9, idempotencyKey: "k:terminal-error" },
    ]);
    expect(history.session).toMatchObject({ key: "agent:main:named:x", sessionId: "s1", status: "done" });
    expect(history.session.activeRunIds).toBeUndefined();
    expect(history.inFlightRunId).toBe("r9");
  });
});
