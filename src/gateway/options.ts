import type { Logger } from "../core/ports.ts";
import type { Timers } from "./connection.ts";
import type { CreateSocket } from "./socket.ts";

/** Options of createOpenClawGateway; everything but url and token has a default. */
export interface OpenClawGatewayOptions {
  /** `ws://` to loopback or `wss://`. */
  url: string;
  /** Shared gateway token; never logged. */
  token: string;
  logger?: Logger | undefined;
  /** Sent as `client.version`. */
  clientVersion?: string | undefined;
  createSocket?: CreateSocket | undefined;
  now?: (() => number) | undefined;
  random?: (() => number) | undefined;
  setTimeout?: Timers["setTimeout"] | undefined;
  clearTimeout?: Timers["clearTimeout"] | undefined;
  /** Default per-request timeout (15 s). */
  requestTimeoutMs?: number | undefined;
  /** First reconnect delay ceiling (250 ms). */
  backoffBaseMs?: number | undefined;
  /** Largest reconnect delay (5 s: a restarted gateway on loopback is back within seconds). */
  backoffMaxMs?: number | undefined;
  /** Retry delay while nothing listens at the gateway's address, for two minutes after a loss. */
  probeMs?: number | undefined;
  /** A connection that lived this long resets the backoff (10 s). */
  stableAfterMs?: number | undefined;
  /** Socket open → hello-ok budget (10 s). */
  handshakeTimeoutMs?: number | undefined;
  /** How long start() waits through retryable UNAVAILABLE refusals (30 s). */
  startTimeoutMs?: number | undefined;
  /** Call sessions.subscribe after each hello-ok so `session` events arrive (default true). */
  subscribeSessions?: boolean | undefined;
  /** HTTP client for the gateway's media route (global fetch by default). */
  fetch?: typeof fetch | undefined;
}

/** Per-call options of a request. */
export interface RequestOptions {
  timeoutMs?: number | undefined;
}
