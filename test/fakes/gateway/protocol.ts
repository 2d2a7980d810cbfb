import { randomUUID } from "node:crypto";

/** Small protocol helpers shared by the fake gateway's parts. */

/** An error the fake answers a request with (`res.ok:false`), shaped like OpenClaw's ErrorShape. */
export class FakeRpcError extends Error {
  readonly code: string;
  readonly details: unknown;
  readonly retryable: boolean | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    code: string,
    message: string,
    extra: { details?: unknown; retryable?: boolean; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = "FakeRpcError";
    this.code = code;
    this.details = extra.details;
    this.retryable = extra.retryable;
    this.retryAfterMs = extra.retryAfterMs;
  }

  /** The wire ErrorShape. */
  toShape(): Record<string, unknown> {
    const shape: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.details !== undefined) shape.details = this.details;
    if (this.retryable !== undefined) shape.retryable = this.retryable;
    if (this.retryAfterMs !== undefined) shape.retryAfterMs = this.retryAfterMs;
    return shape;
  }
}

/** INVALID_REQUEST with the gateway's message. */
export function invalid(message: string, details?: unknown): FakeRpcError {
  return new FakeRpcError("INVALID_REQUEST", message, details === undefined ? {} : { details });
}

/** The refusal chat.send gets while a graceful restart drains (SIGTERM-like). */
export function restarting(method: string): FakeRpcError {
  return new FakeRpcError("UNAVAILABLE", `${method} unavailable during gateway restart`, {
    retryable: true,
    retryAfterMs: 1000,
    details: { reason: "gateway-restarting", phase: "accepting" },
  });
}

/** A fresh UUID. */
export const uuid = (): string => randomUUID();

/** Reads a params object (`{}` when absent or not an object). */
export function paramsOf(raw: unknown): Record<string, unknown> {
  return typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}

/** A required non-empty string param. */
export function requireString(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  if (typeof value !== "string" || value.trim() === "") throw invalid(`invalid params: ${name} required`);
  return value;
}

/** An optional string param. */
export function optionalString(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(`invalid params: ${name} must be a string`);
  return value;
}

/**
 * OpenClaw's store-key rule, as far as the bot can observe it: keys are
 * lower-cased; raw keys get the default agent's prefix; `agent:<id>` without a
 * rest is malformed.
 */
export function canonicalKey(raw: string, defaultAgentId: string): string {
  const key = raw.trim().toLowerCase();
  if (!key.startsWith("agent:")) return `agent:${defaultAgentId}:${key}`;
  const match = /^agent:([a-z0-9][a-z0-9_-]{0,63}):([^:].*)$/.exec(key);
  if (!match) throw invalid("malformed session key");
  return key;
}

/** The agent id of a canonical key. */
export function agentOf(key: string): string {
  return key.split(":")[1] ?? "main";
}

/** Trims and checks a label the way OpenClaw's parseSessionLabel does. */
export function parseLabel(value: unknown): string {
  if (typeof value !== "string") throw invalid("invalid label: must be a string");
  const label = value.trim();
  if (label === "") throw invalid("invalid label: empty");
  if (label.length > 512) throw invalid("invalid label: too long (max 512)");
  return label;
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Resolves with `promise`, or rejects with the signal's reason when it aborts first. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
