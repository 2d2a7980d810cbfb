import { z } from "zod";
import { BotError, ErrorCode, GatewayReason } from "../core/errors.ts";
import type { AttachmentLimits, GatewayEvent, Logger } from "../core/ports.ts";
import { Backoff } from "./backoff.ts";
import { type CloseInfo, GatewayConnection, type Timers } from "./connection.ts";
import { badReply, gatewayAway } from "./errors.ts";
import { EventRouter } from "./events.ts";
import type { EventFrame, HelloOk } from "./frames.ts";
import { redactingLogger, silentLogger } from "./log.ts";
import type { OpenClawGatewayOptions, RequestOptions } from "./options.ts";
import { AnyResultSchema } from "./results.ts";
import { checkGatewayUrl, createWsSocket } from "./socket.ts";

type Listener = (event: GatewayEvent) => void;

interface StartWaiter {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
  timer: unknown;
}

/**
 * One reconnecting WebSocket to an OpenClaw 2026.9 gateway: connect, hello, events, and `call` for any
 * method. The typed methods of the GatewayPort are in client.ts.
 */
export class GatewayClientBase {
  readonly #listeners = new Set<Listener>();
  readonly #logger: Logger;
  readonly #connection: GatewayConnection;
  readonly #router: EventRouter;
  readonly #timers: Timers;
  readonly #requestTimeoutMs: number;
  readonly #startTimeoutMs: number;
  readonly #subscribeSessions: boolean;
  #bootId: string | undefined;
  #attachmentLimits: AttachmentLimits | undefined;
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
      backoff: new Backoff({
        baseMs: options.backoffBaseMs ?? 250,
        maxMs,
        random: options.random ?? Math.random,
        probe: { everyMs: options.probeMs ?? 200, windowMs: 120_000, now: options.now ?? Date.now },
      }),
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

  /** Attachment ceilings of the current (or last) connection. */
  get attachmentLimits(): AttachmentLimits | undefined {
    return this.#attachmentLimits;
  }

  #onHello(hello: HelloOk): void {
    const previousBootId = this.#bootId;
    this.#bootId = hello.server.bootId;
    this.#attachmentLimits = hello.policy.attachments;
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
    if (refusal?.details?.reason === GatewayReason.Refused) return;
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
