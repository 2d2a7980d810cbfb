import type { BotError } from "../core/errors.ts";
import type { Logger } from "../core/ports.ts";
import type { Backoff } from "./backoff.ts";
import { fromGatewayError, gatewayAway, gatewayTimeout } from "./errors.ts";
import {
  type EventFrame,
  FrameSchema,
  type HelloOk,
  HelloOkSchema,
  PROTOCOL_VERSION,
  type ResponseFrame,
} from "./frames.ts";
import type { CreateSocket, GatewaySocket } from "./socket.ts";
import { encodeFrame } from "./wire.ts";

/** Timer functions, injected so tests can drive time. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What the connection needs from its owner. */
export interface ConnectionOptions {
  url: string;
  token: string;
  clientVersion: string;
  createSocket: CreateSocket;
  now: () => number;
  timers: Timers;
  logger: Logger;
  backoff: Backoff;
  /** A connection that lived this long resets the backoff when it closes. */
  stableAfterMs: number;
  /** Time allowed from opening the socket to hello-ok. */
  handshakeTimeoutMs: number;
  /** Upper bound for a server-requested retryAfterMs. */
  maxRetryAfterMs: number;
  onHello(hello: HelloOk): void;
  onEvent(frame: EventFrame): void;
  onClose(info: CloseInfo): void;
}

/** Why a socket went away. */
export interface CloseInfo {
  code: number;
  reason: string;
  /** True when this socket had completed the handshake. */
  wasReady: boolean;
  /** The gateway's refusal of `connect`, when that is why it closed. */
  connectError?: BotError | undefined;
}

interface Attempt {
  socket: GatewaySocket;
  /** A frame came in; a socket closed before any (nothing listened, or a gateway still booting) is refused. */
  heard: boolean;
  ready: boolean;
  connectId: string | undefined;
  helloAt: number;
  lastFrameAt: number;
  tickMs: number;
  timer: unknown;
}

interface Pending {
  method: string;
  resolve(payload: unknown): void;
  reject(error: BotError): void;
  timer: unknown;
}

const SCOPES = ["operator.read", "operator.write", "operator.admin"];

/**
 * One logical connection to the gateway: opens sockets, performs the challenge →
 * connect → hello-ok handshake, correlates requests, watches ticks and reconnects
 * with backoff until stopped. Each socket is an Attempt; events of a socket that is
 * no longer current are ignored (a late `close` must not tear down its successor).
 */
export class GatewayConnection {
  readonly #o: ConnectionOptions;
  readonly #pending = new Map<string, Pending>();
  #attempt: Attempt | undefined;
  #running = false;
  #reconnectTimer: unknown;
  #retryAfterMs: number | undefined;
  #nextId = 0;

  constructor(options: ConnectionOptions) {
    this.#o = options;
  }

  /** True while a socket has completed the handshake. */
  get ready(): boolean {
    return this.#attempt?.ready ?? false;
  }

  /** Starts connecting; idempotent. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#open();
  }

  /** Closes the socket, fails pending requests and stops reconnecting. */
  stop(): void {
    this.#running = false;
    if (this.#reconnectTimer !== undefined) this.#o.timers.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    if (this.#attempt) this.#teardown(this.#attempt, { code: 1000, reason: "client stopped", closeSocket: true });
  }

  /** Sends a request and resolves with its payload; rejects with a BotError. */
  request(method: string, params: unknown, timeoutMs: number): Promise<unknown> {
    const attempt = this.#attempt;
    if (!attempt?.ready) return Promise.reject(gatewayAway(method, "not connected"));
    this.#nextId += 1;
    const id = `r${this.#nextId}`;
    return new Promise((resolve, reject) => {
      const timer = this.#o.timers.setTimeout(() => {
        this.#pending.delete(id);
        reject(gatewayTimeout(method, timeoutMs));
      }, timeoutMs);
      this.#pending.set(id, { method, resolve, reject, timer });
      const failed = () => {
        this.#o.timers.clearTimeout(timer);
        this.#pending.delete(id);
        reject(gatewayAway(method, "send failed"));
      };
      try {
        const frame = encodeFrame({ type: "req", id, method, params });
        if (typeof frame === "string") attempt.socket.send(frame);
        else frame.then((bytes) => this.#sendBytes(attempt, bytes)).catch(failed);
      } catch {
        failed();
      }
    });
  }

  /** A frame with attachments, once encoded; only on the socket it was meant for. */
  #sendBytes(attempt: Attempt, bytes: ArrayBuffer): void {
    if (this.#attempt !== attempt || !attempt.ready) throw new Error("the socket closed while the frame was encoded");
    if (attempt.socket.sendUtf8) attempt.socket.sendUtf8(bytes);
    else attempt.socket.send(new TextDecoder().decode(bytes));
  }

  #open(): void {
    const { createSocket, url, now, logger } = this.#o;
    let socket: GatewaySocket;
    try {
      socket = createSocket(url);
    } catch (error) {
      logger.warn("gateway socket could not be created", { error });
      this.#scheduleReconnect(false);
      return;
    }
    const fresh = { heard: false, ready: false, connectId: undefined, helloAt: 0, tickMs: 0, timer: undefined };
    const attempt: Attempt = { socket, lastFrameAt: now(), ...fresh };
    this.#attempt = attempt;
    socket.addEventListener("message", (event) => this.#onMessage(attempt, event.data));
    socket.addEventListener("close", (event) => {
      this.#teardown(attempt, { code: event.code, reason: event.reason, closeSocket: false });
    });
    socket.addEventListener("error", () => logger.debug("gateway socket error", { url }));
    attempt.timer = this.#o.timers.setTimeout(() => {
      logger.warn("gateway handshake timed out", { url });
      this.#teardown(attempt, { code: 4001, reason: "handshake timeout", closeSocket: true });
    }, this.#o.handshakeTimeoutMs);
    logger.debug("gateway connecting", { url });
  }

  #onMessage(attempt: Attempt, data: unknown): void {
    if (this.#attempt !== attempt) return;
    attempt.heard = true;
    attempt.lastFrameAt = this.#o.now();
    let json: unknown;
    try {
      json = JSON.parse(typeof data === "string" ? data : String(data));
    } catch {
      this.#o.logger.warn("gateway sent a frame that is not JSON");
      return;
    }
    const parsed = FrameSchema.safeParse(json);
    if (!parsed.success) {
      this.#o.logger.warn("gateway sent a frame we cannot read", { issues: parsed.error.issues.length });
      return;
    }
    const frame = parsed.data;
    if (frame.type === "event") {
      if (frame.event === "connect.challenge") this.#sendConnect(attempt);
      else if (attempt.ready) this.#o.onEvent(frame);
    } else if (frame.type === "res") {
      if (frame.id === attempt.connectId) this.#onConnectResponse(attempt, frame);
      else this.#settle(frame);
    }
  }

  #sendConnect(attempt: Attempt): void {
    if (attempt.connectId !== undefined) return;
    this.#nextId += 1;
    attempt.connectId = `c${this.#nextId}`;
    const params = {
      minProtocol: PROTOCOL_VERSION,
      maxProtocol: PROTOCOL_VERSION,
      client: { id: "gateway-client", mode: "backend", version: this.#o.clientVersion, platform: "linux" },
      role: "operator",
      scopes: SCOPES,
      // exec-approvals with operator.admin makes OpenClaw ask this client instead of denying a
      // headless exec (docs/openclaw-agent-loop.md).
      caps: ["tool-events", "exec-approvals"],
      auth: { token: this.#o.token },
    };
    attempt.socket.send(JSON.stringify({ type: "req", id: attempt.connectId, method: "connect", params }));
  }

  #onConnectResponse(attempt: Attempt, frame: ResponseFrame): void {
    const { logger } = this.#o;
    if (!frame.ok) {
      const error = fromGatewayError("connect", frame.error, this.#o.token);
      const retryAfterMs = frame.error?.code === "UNAVAILABLE" ? frame.error.retryAfterMs : undefined;
      if (retryAfterMs !== undefined) this.#retryAfterMs = Math.max(0, Math.min(retryAfterMs, this.#o.maxRetryAfterMs));
      logger.warn("gateway refused connect", { ...error.details, message: error.message });
      this.#teardown(attempt, { code: 1000, reason: "connect refused", closeSocket: true, connectError: error });
      return;
    }
    const hello = HelloOkSchema.safeParse(frame.payload);
    if (!hello.success || hello.data.protocol !== PROTOCOL_VERSION) {
      logger.error("gateway hello-ok is not protocol v4 as we read it", { protocol: hello.data?.protocol });
      this.#teardown(attempt, { code: 1002, reason: "bad hello-ok", closeSocket: true });
      return;
    }
    this.#o.timers.clearTimeout(attempt.timer);
    attempt.ready = true;
    attempt.helloAt = this.#o.now();
    attempt.tickMs = hello.data.policy.tickIntervalMs;
    this.#armTickWatch(attempt);
    this.#o.onHello(hello.data);
  }

  // Fires when 2×tickIntervalMs of silence would have passed; any frame moves that moment.
  #armTickWatch(attempt: Attempt): void {
    const deadline = attempt.lastFrameAt + 2 * attempt.tickMs;
    const wait = Math.max(1, deadline - this.#o.now() + 1);
    attempt.timer = this.#o.timers.setTimeout(() => {
      if (this.#attempt !== attempt) return;
      if (this.#o.now() - attempt.lastFrameAt < 2 * attempt.tickMs) return this.#armTickWatch(attempt);
      this.#o.logger.warn("gateway went silent; reconnecting", { tickIntervalMs: attempt.tickMs });
      this.#teardown(attempt, { code: 4000, reason: "tick timeout", closeSocket: true });
    }, wait);
  }

  #settle(frame: ResponseFrame): void {
    const pending = this.#pending.get(frame.id);
    if (!pending) {
      this.#o.logger.debug("gateway answered a request we no longer wait for", { id: frame.id });
      return;
    }
    this.#pending.delete(frame.id);
    this.#o.timers.clearTimeout(pending.timer);
    if (frame.ok) pending.resolve(frame.payload);
    else pending.reject(fromGatewayError(pending.method, frame.error, this.#o.token));
  }

  #teardown(attempt: Attempt, how: { code: number; reason: string; closeSocket: boolean; connectError?: BotError }) {
    if (this.#attempt !== attempt) return;
    this.#attempt = undefined;
    this.#o.timers.clearTimeout(attempt.timer);
    if (how.closeSocket) {
      try {
        attempt.socket.close(how.code, how.reason);
      } catch {
        attempt.socket.terminate?.();
      }
    }
    for (const [id, pending] of this.#pending) {
      this.#o.timers.clearTimeout(pending.timer);
      this.#pending.delete(id);
      pending.reject(gatewayAway(pending.method, "connection lost"));
    }
    const stable = attempt.ready && this.#o.now() - attempt.helloAt >= this.#o.stableAfterMs;
    this.#o.onClose({ code: how.code, reason: how.reason, wasReady: attempt.ready, connectError: how.connectError });
    this.#scheduleReconnect(stable, !attempt.heard);
  }

  #scheduleReconnect(stable: boolean, refused = false): void {
    if (!this.#running) return;
    if (stable) this.#o.backoff.reset();
    const delay = this.#retryAfterMs ?? this.#o.backoff.next(refused);
    this.#retryAfterMs = undefined;
    this.#o.logger.debug("gateway reconnect scheduled", { delayMs: delay });
    this.#reconnectTimer = this.#o.timers.setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#running && !this.#attempt) this.#open();
    }, delay);
  }
}
