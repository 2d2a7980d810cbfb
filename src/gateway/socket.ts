import { WebSocket } from "ws";
import { BotError, ErrorCode } from "../core/errors.ts";

/** Events of a WebSocket-like object, in the WHATWG shape that `ws` and Node's global WebSocket share. */
export interface SocketEventMap {
  open: unknown;
  message: { data: unknown };
  close: { code: number; reason: string };
  error: unknown;
}

/** The part of a WebSocket the client uses; inject a fake or Node's own WebSocket in tests. */
export interface GatewaySocket {
  send(data: string): void;
  /** Sends UTF-8 bytes as a text frame without copying them (ws); without it they are decoded and sent as text. */
  sendUtf8?(data: ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  /** Drops the TCP connection at once (ws only); used when the peer went silent. */
  terminate?(): void;
  addEventListener<K extends keyof SocketEventMap>(type: K, listener: (event: SocketEventMap[K]) => void): void;
}

/** Opens a socket to `url`. */
export type CreateSocket = (url: string) => GatewaySocket;

/** The default factory: a `ws` client without an Origin header (the gateway treats Origin as a browser). */
export const createWsSocket: CreateSocket = (url) => {
  const socket = new WebSocket(url, { maxPayload: 26_214_400, ...unmaskedOnLoopback(url) });
  return Object.assign(socket, { sendUtf8: (data: ArrayBuffer) => socket.send(data, { binary: false }) });
};

/**
 * ws masks a client frame into a copy (an 18 MB attachment frame: 18 MB more and ~30 ms of a JavaScript
 * loop). Masking keeps a transparent proxy from reading attacker-chosen bytes as HTTP; a `ws://` URL is
 * only ever loopback here (checkGatewayUrl), where no proxy stands between, so the key is all zeros and
 * ws skips the copy. Over `wss://` TLS stands between anyway, but the random key stays, as RFC 6455 asks.
 */
function unmaskedOnLoopback(url: string): { generateMask?: (mask: Buffer) => void } {
  return url.startsWith("ws://") ? { generateMask: (mask) => void mask.fill(0) } : {};
}

const LOOPBACK_NAMES = new Set(["localhost", "[::1]", "::1"]);

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (LOOPBACK_NAMES.has(host)) return true;
  // 127.0.0.0/8, written as a dotted quad (URL normalises other IPv4 spellings to this form).
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Checks the gateway URL: plain `ws://` only to loopback, because the shared token
 * would otherwise cross the network in clear; anything else must be `wss://`.
 */
export function checkGatewayUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new BotError(ErrorCode.Config, "OPENCLAW_GATEWAY_URL is not a valid URL.", { cause });
  }
  if (parsed.username || parsed.password) {
    throw new BotError(ErrorCode.Config, "OPENCLAW_GATEWAY_URL must not contain credentials; use the token setting.");
  }
  if (parsed.protocol === "wss:") return parsed;
  if (parsed.protocol === "ws:" && isLoopbackHost(parsed.hostname)) return parsed;
  if (parsed.protocol === "ws:") {
    throw new BotError(
      ErrorCode.Config,
      `OPENCLAW_GATEWAY_URL uses ws:// to a non-loopback host (${parsed.hostname}); use wss:// for remote gateways.`,
    );
  }
  throw new BotError(ErrorCode.Config, "OPENCLAW_GATEWAY_URL must start with ws:// (loopback only) or wss://.");
}
