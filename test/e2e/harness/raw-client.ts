/**
 * A bare protocol-v4 operator client for the real gateway: backend mode with the shared token (loopback only,
 * docs/openclaw-protocol.md §0, live-peer §4). No reconnects, no hidden state: tests and the "direct" benchmark
 * baseline see exactly what the gateway sends.
 */
import WebSocket from "ws";
import {
  GatewayClosedError,
  type GatewayEvent,
  GatewayRequestError,
  type HelloOk,
  HelloOkSchema,
  ServerFrameSchema,
} from "./frames.ts";
import { Waiters } from "./waiters.ts";

/** How to connect. */
export interface RawClientOptions {
  url: string;
  token: string;
  scopes?: string[];
  /** Client capabilities, e.g. ["tool-events"]. */
  caps?: string[];
  /** Budget for challenge + hello; default 15 s. */
  timeoutMs?: number;
}

/** Why and how the socket closed. */
export interface CloseInfo {
  code: number;
  reason: string;
  at: number;
}

interface Pending {
  method: string;
  resolve: (payload: unknown) => void;
  reject: (err: Error) => void;
  onAccepted?: (payload: unknown) => void;
  timer: NodeJS.Timeout;
}

const ALL_SCOPES = ["operator.read", "operator.write", "operator.admin"];

/** A connected client; create with `RawClient.connect()`. */
export class RawClient {
  /** Every event received since connect, in order. */
  readonly events: GatewayEvent[] = [];
  /** Resolves when the socket closes. */
  readonly closed: Promise<CloseInfo>;
  #hello: HelloOk | undefined;
  #closeInfo: CloseInfo | undefined;
  readonly #ws: WebSocket;
  readonly #pending = new Map<string, Pending>();
  readonly #waiters = new Waiters<GatewayEvent>();
  #nextId = 1;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data) => this.#onMessage(String(data)));
    ws.on("error", () => {}); // every socket error also ends in "close", which is where it is reported
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        const info = { code, reason: String(reason), at: Date.now() };
        this.#closeInfo = info;
        for (const p of this.#pending.values()) {
          clearTimeout(p.timer);
          p.reject(new GatewayClosedError(`waiting for ${p.method}`, code, info.reason));
        }
        this.#pending.clear();
        this.#waiters.rejectAll(new GatewayClosedError("waiting for an event", code, info.reason));
        resolve(info);
      });
    });
  }

  /**
   * Opens a socket, answers the challenge with `connect`, and validates `hello-ok`.
   * Rejects with the socket error (e.g. ECONNREFUSED), a GatewayRequestError (e.g. UNAVAILABLE while the
   * gateway starts) or a GatewayClosedError; the socket is closed in every failure case.
   */
  static async connect(opts: RawClientOptions): Promise<RawClient> {
    const ws = new WebSocket(opts.url);
    const client = new RawClient(ws);
    const timeoutMs = opts.timeoutMs ?? 15_000;
    try {
      const hello = await new Promise<HelloOk>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no hello-ok within ${timeoutMs} ms`)), timeoutMs);
        const settle = (fn: () => void) => {
          clearTimeout(timer);
          fn();
        };
        ws.once("error", (err) => settle(() => reject(err)));
        void client.closed.then((c) => settle(() => reject(new GatewayClosedError("connecting", c.code, c.reason))));
        void client
          .waitForEvent((e) => e.event === "connect.challenge", timeoutMs)
          .then(() => client.request("connect", connectParams(opts), timeoutMs))
          .then((payload) => settle(() => resolve(HelloOkSchema.parse(payload))))
          .catch((err: Error) => settle(() => reject(err)));
      });
      client.#hello = hello;
      return client;
    } catch (err) {
      ws.terminate();
      await client.closed;
      throw err;
    }
  }

  /** The validated `hello-ok`. */
  get hello(): HelloOk {
    if (!this.#hello) throw new Error("not connected");
    return this.#hello;
  }

  /** The gateway's boot id from `hello-ok`. */
  get bootId(): string {
    return this.hello.server.bootId;
  }

  /** Set once the socket has closed. */
  get closeInfo(): CloseInfo | undefined {
    return this.#closeInfo;
  }

  /** A position in `events`, for `waitForEvent(…, { since })`. */
  mark(): number {
    return this.events.length;
  }

  /** Sends a request and resolves with its payload (rejects with GatewayRequestError on ok:false). */
  request<T = Record<string, unknown>>(method: string, params?: unknown, timeoutMs = 30_000): Promise<T> {
    return this.#send(method, params, timeoutMs) as Promise<T>;
  }

  /** For two-phase methods (`agent`): the `accepted` payload and the final one, from one request id. */
  requestTwoPhase(
    method: string,
    params: unknown,
    timeoutMs = 120_000,
  ): { accepted: Promise<unknown>; final: Promise<unknown> } {
    let onAccepted: (p: unknown) => void = () => {};
    const accepted = new Promise<unknown>((resolve) => {
      onAccepted = resolve;
    });
    const final = this.#send(method, params, timeoutMs, onAccepted);
    // A request that fails before "accepted" fails both.
    return { accepted: Promise.race([accepted, final]), final };
  }

  /** The first event (already received at index >= `since`, or future) matching `pred`. */
  waitForEvent(pred: (e: GatewayEvent) => boolean, timeoutMs = 30_000, since = 0): Promise<GatewayEvent> {
    const found = this.events.slice(since).find(pred);
    if (found) return Promise.resolve(found);
    if (this.#closeInfo) {
      const { code, reason } = this.#closeInfo;
      return Promise.reject(new GatewayClosedError("waiting for an event", code, reason));
    }
    return this.#waiters.wait(pred, timeoutMs, "gateway event");
  }

  /** Closes the socket (1000) and waits for the close. */
  async close(): Promise<CloseInfo> {
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) this.#ws.close(1000);
    return this.closed;
  }

  #send(method: string, params: unknown, timeoutMs: number, onAccepted?: (p: unknown) => void): Promise<unknown> {
    const id = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      if (this.#ws.readyState !== WebSocket.OPEN) {
        reject(new GatewayClosedError(`sending ${method}`, this.#closeInfo?.code ?? 0, "socket not open"));
        return;
      }
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method} got no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { method, resolve, reject, onAccepted, timer });
      this.#ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  #onMessage(text: string): void {
    const frame = ServerFrameSchema.parse(JSON.parse(text));
    if (frame.type === "event") {
      const payload = (frame.payload ?? {}) as Record<string, unknown>;
      const event = { event: frame.event, payload, seq: frame.seq, at: Date.now() };
      this.events.push(event);
      this.#waiters.offer(event);
      return;
    }
    const pending = this.#pending.get(frame.id);
    if (!pending) return;
    const status = (frame.payload as { status?: unknown } | undefined)?.status;
    if (frame.ok && pending.onAccepted && status === "accepted") {
      // Two-phase: keep the entry, the final answer comes on the same id.
      pending.onAccepted(frame.payload);
      return;
    }
    clearTimeout(pending.timer);
    this.#pending.delete(frame.id);
    if (frame.ok) pending.resolve(frame.payload);
    else pending.reject(new GatewayRequestError(pending.method, frame.error ?? { code: "UNKNOWN", message: "" }));
  }
}

function connectParams(opts: RawClientOptions) {
  return {
    minProtocol: 4,
    maxProtocol: 4,
    client: {
      id: "gateway-client",
      mode: "backend",
      version: "0.0.0-e2e",
      platform: process.platform,
      displayName: "threadkeeper-e2e",
    },
    role: "operator",
    scopes: opts.scopes ?? ALL_SCOPES,
    caps: opts.caps ?? [],
    auth: { token: opts.token },
    locale: "en-US",
    userAgent: "threadkeeper-e2e/0",
  };
}
