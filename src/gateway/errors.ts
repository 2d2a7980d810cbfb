import { BotError, ErrorCode, GatewayReason } from "../core/errors.ts";
import type { GatewayErrorShape } from "./frames.ts";

/** `details.reason` / `details.code` of an error shape, whichever the gateway set. */
function detailsCode(details: unknown): string | undefined {
  if (typeof details !== "object" || details === null) return undefined;
  const record = details as Record<string, unknown>;
  if (typeof record.code === "string") return record.code;
  if (typeof record.reason === "string") return record.reason;
  return undefined;
}

// OpenClaw 2026.9.6 answers these three with INVALID_REQUEST and no details code, so its message is
// the only thing that tells them apart (ARCHITECTURE.md §6). Read here only.
const BY_MESSAGE: readonly [RegExp, GatewayReason][] = [
  [/ended during restart recovery/i, GatewayReason.Tombstoned],
  [/\bis archived\b/i, GatewayReason.Archived],
  [/label already in use/i, GatewayReason.LabelTaken],
  [/unknown parent session/i, GatewayReason.UnknownParent],
];

/** What a refusal means for the bot: by code first, by OpenClaw's message where it sets no code. */
export function classifyGatewayError(shape: GatewayErrorShape): GatewayReason | undefined {
  if (shape.code === "UNAVAILABLE" || shape.retryable === true) return GatewayReason.Refused;
  const code = detailsCode(shape.details);
  if (code === "APPROVAL_ALREADY_RESOLVED") return GatewayReason.ApprovalResolved;
  if (code === "APPROVAL_NOT_FOUND") return GatewayReason.ApprovalUnknown;
  if (shape.code !== "INVALID_REQUEST") return undefined;
  return BY_MESSAGE.find(([pattern]) => pattern.test(shape.message))?.[1];
}

/**
 * Turns a gateway error response into a BotError. UNAVAILABLE (startup, restart
 * drain, full queue) becomes GATEWAY_AWAY because the caller should treat it like
 * a gateway that is away: queue and retry later, after retryAfterMs. Everything
 * else is GATEWAY_ERROR with the gateway's own message, which carries no secrets.
 */
export function fromGatewayError(method: string, error: GatewayErrorShape | undefined, secret = ""): BotError {
  const raw = error ?? { code: "UNKNOWN", message: "The gateway refused the request." };
  // The message is shown to people; make sure no echo of the token survives in it.
  const shape = secret ? { ...raw, message: raw.message.split(secret).join("[redacted]") } : raw;
  const details = {
    method,
    gatewayCode: shape.code,
    detailsCode: detailsCode(shape.details),
    reason: classifyGatewayError(shape),
    retryable: shape.retryable ?? false,
    retryAfterMs: shape.retryAfterMs,
  };
  if (shape.code === "UNAVAILABLE") {
    return new BotError(ErrorCode.GatewayAway, `The OpenClaw gateway is unavailable: ${shape.message}`, { details });
  }
  return new BotError(ErrorCode.GatewayError, shape.message, { details });
}

/** The error for a request made while no usable connection exists. */
export function gatewayAway(method: string, why: string): BotError {
  return new BotError(ErrorCode.GatewayAway, `The OpenClaw gateway is not reachable (${why}).`, {
    details: { method },
  });
}

/** The error for a request the gateway did not answer in time. */
export function gatewayTimeout(method: string, timeoutMs: number): BotError {
  return new BotError(ErrorCode.Timeout, `The OpenClaw gateway did not answer ${method} within ${timeoutMs} ms.`, {
    details: { method, timeoutMs },
  });
}

/** The error for a reply that does not match the schema we expect. */
export function badReply(method: string, issues: string): BotError {
  return new BotError(ErrorCode.GatewayError, `The OpenClaw gateway sent an unexpected reply to ${method}.`, {
    details: { method, issues },
  });
}
