/**
 * The OpenClaw gateway port over protocol v4.
 *
 * We write our own client instead of using @openclaw/gateway-client@2026.9.1: that
 * package is a release behind the 2026.9.6 server, does not validate payloads with
 * zod at our boundary, and does not let us inject the socket and the clock.
 *
 * @module
 */
import { z } from "zod";
import { BotError, ErrorCode } from "../core/errors.ts";
import type { ChatHistory, GatewayEvent, GatewayPort, Logger, SessionInfo } from "../core/ports.ts";
import { Backoff } from "./backoff.ts";
import { type CloseInfo, GatewayConnection, type Timers } from "./connection.ts";
import { badReply, gatewayAway } from "./errors.ts";
import { EventRouter } from "./events.ts";
import type { EventFrame, HelloOk } from "./frames.ts";
import { redactingLogger, silentLogger } from "./log.ts";
import type { OpenClawGatewayOptions, RequestOptions } from "./options.ts";
import {
  AnyResultSchema,
  ChatHistoryResultSchema,
  ChatSendResultSchema,
  parseSessionRows,
  SessionsCreateResultSchema,
  SessionsListResultSchema,
  SessionsRecoverResultSchema,
  toChatHistory,
} from "./results.ts";
import { checkGatewayUrl, createWsSocket } from "./socket.ts";

type Listener = (event: GatewayEvent) => void;

// The gateway's param schemas are closed objects: send exactly the known fields, never undefined ones.
function defined(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined));
}

interface StartWaiter {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
  timer: unknown;
}

/** GatewayPort over one reconnecting WebSocket to an OpenClaw 2026.9 gateway. */
export class OpenClawGateway implements GatewayPort {
  readonly #listeners = new Set<Listener>();
  readonly #logger: Logger;
  readonly #connection: GatewayConnection;
  readonly #router: EventRouter;
  readonly #timers: Timers;
  readonly #requestTimeoutMs: number;
  readonly #startTimeoutMs: number;
  readonly #subscribeSessions: boolean;
  #bootId: string | undefined;
  #shuttingDown = false;
  #starting: StartWaiter | undefined;

  constructor(options: OpenClawGatewayOptions) {
    checkGatewayUrl(options.url);
    this.#logger = redactingLogger(options.logger ?? silentLogger, options.token);
    this.#timers = {
      setTimeout: options.setTimeout ?? ((callback, ms) => setTimeout(callback, ms)),
      clearTimeout: options.clearTimeout ?? ((handle) => clearTimeout(handle as NodeJS.Timeout)),
    };
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.#startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.#subscribeSessions = options.subscribeSessions ?? true;
    this.#router = new EventRouter(this.#logger);
    const maxMs = options.backoffMaxMs ?? 5_000;
    this.#connection = new GatewayConnection({
      url: options.url,
      token: options.token,
      clientVersion: options.clientVersion ?? "0.1.0",
      createSocket: options.createSocket ?? createWsSocket,
      now: options.now ?? Date.now,
      timers: this.#timers,
      logger: this.#logger,
      backoff: new Backoff({ baseMs: options.backoffBaseMs ?? 250, maxMs, random: options.random ?? Math.random }),
      stableAfterMs: options.stableAfterMs ?? 10_000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      // The server's retryAfterMs wins over our backoff; the cap only guards against nonsense.
      maxRetryAfterMs: 60_000,
      onHello: (hello) => this.#onHello(hello),
      onEvent: (frame) => this.#onEvent(frame),
      onClose: (info) => this.#onClose(info),
    });
  }

  /** True while a hello-ok'd socket is open (it turns false when that socket closes, even after `shutdown`). */
  get connected(): boolean {
    return this.#connection.ready;
  }

  /** True while requests are sent: connected and no `shutdown` announced on this socket. */
  get accepting(): boolean {
    return this.#connection.ready && !this.#shuttingDown;
  }

  /** bootId of the gateway behind the current (or last) connection. */
  get bootId(): string | undefined {
    return this.#bootId;
  }

  /** Connects; resolves on hello-ok, rejects with GATEWAY_AWAY if the first attempt fails (retries go on). */
  start(): Promise<void> {
    if (this.#connection.ready) return Promise.resolve();
    if (this.#starting) return this.#starting.promise;
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const timer = this.#timers.setTimeout(() => {
      this.#settleStart(gatewayAway("connect", "no hello-ok before the start timeout"));
    }, this.#startTimeoutMs);
    this.#starting = { promise, resolve, reject, timer };
    this.#connection.start();
    return promise;
  }

  /** Closes the socket and stops reconnecting. */
  async stop(): Promise<void> {
    this.#settleStart(gatewayAway("connect", "stopped"));
    this.#connection.stop();
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Any gateway method, validated against `schema` (unknown payload by default). */
  async call<T = unknown>(
    method: string,
    params: unknown,
    options: RequestOptions = {},
    schema: z.ZodType<T> = AnyResultSchema as z.ZodType<T>,
  ): Promise<T> {
    if (this.#shuttingDown) throw gatewayAway(method, "the gateway is shutting down");
    const payload = await this.#connection.request(method, params, options.timeoutMs ?? this.#requestTimeoutMs);
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      this.#logger.warn("gateway reply failed validation", { method, issues: parsed.error.issues.length });
      throw badReply(method, z.prettifyError(parsed.error));
    }
    return parsed.data;
  }

  /** sessions.create: creates or adopts `key`; returns the canonical key the gateway stored. */
  async createSession(
    params: {
      key: string;
      label?: string | undefined;
      parentSessionKey?: string | undefined;
      spawnDepth?: number | undefined;
    },
    options?: RequestOptions,
  ): Promise<{ key: string; sessionId: string; label?: string | undefined }> {
    const { key, label, parentSessionKey, spawnDepth } = params;
    const wire = defined({ key, label, parentSessionKey, spawnDepth });
    const result = await this.call("sessions.create", wire, options, SessionsCreateResultSchema);
    return { key: result.key, sessionId: result.sessionId, label: result.entry?.label ?? params.label };
  }

  /** sessions.patch of label / archived (archived needs expectedSessionId). */
  async patchSession(
    params: {
      key: string;
      label?: string | null | undefined;
      archived?: boolean | undefined;
      expectedSessionId?: string | undefined;
    },
    options?: RequestOptions,
  ): Promise<void> {
    const { key, label, archived, expectedSessionId } = params;
    await this.call("sessions.patch", defined({ key, label, archived, expectedSessionId }), options);
  }

  /** sessions.list; archived rows only with `archived: true | "all"`. */
  async listSessions(
    params: {
      label?: string | undefined;
      search?: string | undefined;
      archived?: boolean | "all" | undefined;
      limit?: number | undefined;
    },
    options?: RequestOptions,
  ): Promise<SessionInfo[]> {
    const { label, search, archived, limit } = params;
    const wire = defined({ label, search, archived, limit });
    const result = await this.call("sessions.list", wire, options, SessionsListResultSchema);
    return parseSessionRows(result.sessions);
  }

  /** chat.send with deliver:false; the ack's runId is the idempotency key. */
  async chatSend(
    params: { sessionKey: string; message: string; idempotencyKey: string },
    options?: RequestOptions,
  ): Promise<{ runId: string; status: string }> {
    const { sessionKey, message, idempotencyKey } = params;
    const wire = { sessionKey, message, idempotencyKey, deliver: false };
    const result = await this.call("chat.send", wire, options, ChatSendResultSchema);
    return { runId: result.runId, status: result.status };
  }

  /** chat.history, flattened to text rows plus the session row. */
  async chatHistory(
    params: { sessionKey: string; limit?: number | undefined },
    options?: RequestOptions,
  ): Promise<ChatHistory> {
    const wire = defined({ sessionKey: params.sessionKey, limit: params.limit });
    const result = await this.call("chat.history", wire, options, ChatHistoryResultSchema);
    return toChatHistory(result, params.sessionKey);
  }

  /** chat.abort of the session's run (or of `runId`). */
  async chatAbort(params: { sessionKey: string; runId?: string | undefined }, options?: RequestOptions): Promise<void> {
    await this.call("chat.abort", defined({ sessionKey: params.sessionKey, runId: params.runId }), options);
  }

  /** sessions.recover of a restart-tombstoned session; the transcript continues under a new key. */
  async recoverSession(
    params: { key: string },
    options?: RequestOptions,
  ): Promise<{ key: string; sessionId: string; continuationRunId?: string | undefined }> {
    const result = await this.call("sessions.recover", { key: params.key }, options, SessionsRecoverResultSchema);
    const continuation = result.continuation?.status === "started" ? result.continuation.runId : undefined;
    return { key: result.key, sessionId: result.sessionId, continuationRunId: continuation };
  }

  #onHello(hello: HelloOk): void {
    const previousBootId = this.#bootId;
    this.#bootId = hello.server.bootId;
    this.#shuttingDown = false;
    this.#logger.info("gateway connected", {
      bootId: hello.server.bootId,
      previousBootId,
      restarted: previousBootId !== undefined && previousBootId !== hello.server.bootId,
      tickIntervalMs: hello.policy.tickIntervalMs,
      scopes: hello.auth?.scopes,
    });
    this.#emit({ type: "connected", bootId: hello.server.bootId, previousBootId });
    this.#settleStart(undefined);
    // sessions.changed reaches only subscribed connections, and a subscription dies with its socket.
    if (this.#subscribeSessions) void this.#subscribe();
  }

  async #subscribe(): Promise<void> {
    try {
      await this.call("sessions.subscribe", {});
    } catch (error) {
      this.#logger.warn("gateway sessions.subscribe failed; session events will not arrive", { error });
    }
  }

  #onEvent(frame: EventFrame): void {
    // After `shutdown` the gateway admits nothing new; the socket closes (1012) right after.
    if (frame.event === "shutdown") this.#shuttingDown = true;
    const event = this.#router.route(frame);
    if (event) this.#emit(event);
  }

  #onClose(info: CloseInfo): void {
    this.#router.reset();
    this.#shuttingDown = false;
    if (info.wasReady) {
      this.#logger.info("gateway disconnected", { code: info.code, reason: info.reason });
      this.#emit({ type: "disconnected", code: info.code, reason: info.reason });
      return;
    }
    const refusal = info.connectError;
    if (refusal?.details?.gatewayCode === "UNAVAILABLE") return;
    if (!refusal) {
      this.#settleStart(gatewayAway("connect", `connection failed, code ${info.code}`));
      return;
    }
    const message = `The OpenClaw gateway refused the connection: ${refusal.message}`;
    this.#settleStart(new BotError(ErrorCode.GatewayAway, message, { cause: refusal, details: refusal.details }));
  }

  #settleStart(error: Error | undefined): void {
    const waiter = this.#starting;
    if (!waiter) return;
    this.#starting = undefined;
    this.#timers.clearTimeout(waiter.timer);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }

  #emit(event: GatewayEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#logger.error("gateway event listener failed", { event: event.type, error });
      }
    }
  }
}

/** Builds the gateway port; throws BotError(CONFIG) for a ws:// URL to a non-loopback host. */
export function createOpenClawGateway(options: OpenClawGatewayOptions): OpenClawGateway {
  return new OpenClawGateway(options);
}
