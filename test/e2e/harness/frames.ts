/** Gateway protocol v4 frames the raw client parses (docs/openclaw-protocol.md §1.1–1.2), with zod. */
import { z } from "zod";

/** An error as the gateway sends it in `res.error`. */
export const ErrorShapeSchema = z.looseObject({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
  retryable: z.boolean().optional(),
  retryAfterMs: z.number().optional(),
});

/** A response frame; `agent` answers twice on one id (accepted, then final). */
export const ResponseFrameSchema = z.looseObject({
  type: z.literal("res"),
  id: z.string(),
  ok: z.boolean(),
  payload: z.unknown().optional(),
  error: ErrorShapeSchema.optional(),
});

/** An event frame; `seq` is per connection. */
export const EventFrameSchema = z.looseObject({
  type: z.literal("event"),
  event: z.string(),
  payload: z.unknown().optional(),
  seq: z.number().optional(),
});

/** Any frame a client receives. */
export const ServerFrameSchema = z.discriminatedUnion("type", [ResponseFrameSchema, EventFrameSchema]);

/** The part of `hello-ok` the harness relies on; unknown fields pass through. */
export const HelloOkSchema = z.looseObject({
  type: z.literal("hello-ok"),
  protocol: z.number().int(),
  server: z.looseObject({ version: z.string(), bootId: z.string().min(1), connId: z.string().min(1) }),
  features: z.looseObject({ methods: z.array(z.string()), events: z.array(z.string()) }),
  snapshot: z.looseObject({ uptimeMs: z.number() }),
  auth: z.looseObject({ role: z.string().optional(), scopes: z.array(z.string()) }),
  policy: z.looseObject({ tickIntervalMs: z.number() }),
});

/** A validated `hello-ok` payload. */
export type HelloOk = z.infer<typeof HelloOkSchema>;
/** A gateway error body. */
export type ErrorShape = z.infer<typeof ErrorShapeSchema>;

/** An event as the raw client stores it. */
export interface GatewayEvent {
  event: string;
  payload: Record<string, unknown>;
  seq: number | undefined;
  /** Date.now() on arrival. */
  at: number;
}

/** A request the gateway answered with `ok:false` (or a connect refused). */
export class GatewayRequestError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: unknown;
  readonly method: string;

  constructor(method: string, error: ErrorShape) {
    super(`${method} failed: ${error.code} ${error.message}`);
    this.name = "GatewayRequestError";
    this.method = method;
    this.code = error.code;
    this.retryable = error.retryable === true;
    this.retryAfterMs = error.retryAfterMs;
    this.details = error.details;
  }
}

/** The socket closed while something was still waiting on it. */
export class GatewayClosedError extends Error {
  readonly closeCode: number;

  constructor(what: string, code: number, reason: string) {
    super(`connection closed (${code} ${reason}) while ${what}`);
    this.name = "GatewayClosedError";
    this.closeCode = code;
  }
}
