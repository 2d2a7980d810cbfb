/** Error codes shared by every layer; adapters turn them into user-facing text in one place. */
export const ErrorCode = {
  /** Input a person sent that we refuse (bad name, bad argument). */
  BadInput: "BAD_INPUT",
  /** The caller may not run this command. */
  Forbidden: "FORBIDDEN",
  /** Something named does not exist (thread, notice, button). */
  NotFound: "NOT_FOUND",
  /** The OpenClaw gateway is not connected or is draining. */
  GatewayAway: "GATEWAY_AWAY",
  /** The gateway answered a request with an error. */
  GatewayError: "GATEWAY_ERROR",
  /** A request to the gateway got no answer in time. */
  Timeout: "TIMEOUT",
  /** Configuration is missing or invalid. */
  Config: "CONFIG",
  /** The store file is unreadable or invalid; the bot must not start. */
  StoreCorrupt: "STORE_CORRUPT",
  /** A platform API failed (after its own retries). */
  Platform: "PLATFORM",
  /** Nothing to do: the request was valid but there is no work (e.g. nothing to resume). */
  NothingToDo: "NOTHING_TO_DO",
  /** A port capability that this implementation does not offer. */
  NotImplemented: "NOT_IMPLEMENTED",
  /** Another bot process took this deployment's lease over: this one must stop acting at once. */
  LeaseLost: "LEASE_LOST",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * What a gateway refusal means for the bot, decided once where the error enters (src/gateway/errors.ts)
 * and carried as `details.reason`: the core never reads OpenClaw's codes or English texts itself.
 */
export const GatewayReason = {
  /** Refused before admission (draining, starting, queue full, retryable): safe to send again later. */
  Refused: "refused",
  /** The session ended during restart recovery (tombstoned): only sessions.recover continues it. */
  Tombstoned: "session-tombstoned",
  /** The session is archived: it must be restored before new work. */
  Archived: "session-archived",
  /** Another session of the agent has this label. */
  LabelTaken: "label-taken",
  /** The approval was already decided (first answer wins). */
  ApprovalResolved: "approval-resolved",
  /** The approval id is unknown: expired, or cleared by a gateway restart. */
  ApprovalUnknown: "approval-unknown",
  /** A child session's parent does not exist (an operator deleted the bot's root session). */
  UnknownParent: "unknown-parent",
} as const;

export type GatewayReason = (typeof GatewayReason)[keyof typeof GatewayReason];

/** The classified reason of a gateway refusal, if `error` is one. */
export function gatewayReason(error: unknown): GatewayReason | undefined {
  if (!isBotError(error, ErrorCode.GatewayAway, ErrorCode.GatewayError)) return undefined;
  const reason = error.details?.reason;
  return Object.values(GatewayReason).find((r) => r === reason);
}

/** The one error base: a typed code, a message safe to show, and the cause. */
export class BotError extends Error {
  readonly code: ErrorCode;
  /** Extra context (method, params) for logs; never shown to people. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause });
    this.name = "BotError";
    this.code = code;
    this.details = options.details;
  }
}

/** True when `error` is a BotError with one of the given codes. */
export function isBotError(error: unknown, ...codes: ErrorCode[]): error is BotError {
  return error instanceof BotError && (codes.length === 0 || codes.includes(error.code));
}

/** A short, safe line for a person; unknown errors never leak their message or stack. */
export function userMessage(error: unknown): string {
  if (error instanceof BotError) return error.message;
  return "Something went wrong on our side. The operator can find details in the bot's log.";
}
