import { z } from "zod";

/**
 * Zod schemas for the OpenClaw protocol v4 envelopes and event payloads we read.
 * Every object is loose: the 2026.9.6 server may add fields we do not know, and
 * an unknown field must never make us drop a frame. Method results are in results.ts.
 */

/** The wire protocol version this client speaks (operators must send exactly [4, 4]). */
export const PROTOCOL_VERSION = 4;

/** An optional field that turns a wrong type or null into undefined instead of failing the whole frame. */
export function lenient<T extends z.ZodType>(schema: T) {
  return schema.optional().catch(undefined);
}

/** ErrorShape of a failed response. */
export const GatewayErrorShapeSchema = z.looseObject({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
  retryable: lenient(z.boolean()),
  retryAfterMs: lenient(z.number()),
});
export type GatewayErrorShape = z.infer<typeof GatewayErrorShapeSchema>;

const RequestFrameSchema = z.looseObject({
  type: z.literal("req"),
  id: z.string().min(1),
  method: z.string().min(1),
  params: z.unknown().optional(),
});

const ResponseFrameSchema = z.looseObject({
  type: z.literal("res"),
  id: z.string(),
  ok: z.boolean(),
  payload: z.unknown().optional(),
  error: GatewayErrorShapeSchema.optional(),
});

const EventFrameSchema = z.looseObject({
  type: z.literal("event"),
  event: z.string(),
  payload: z.unknown().optional(),
  seq: lenient(z.number()),
});

/** Any frame on the socket, discriminated on `type`. */
export const FrameSchema = z.discriminatedUnion("type", [RequestFrameSchema, ResponseFrameSchema, EventFrameSchema]);
export type Frame = z.infer<typeof FrameSchema>;
export type RequestFrame = z.infer<typeof RequestFrameSchema>;
export type ResponseFrame = z.infer<typeof ResponseFrameSchema>;
export type EventFrame = z.infer<typeof EventFrameSchema>;

/** The `connect.challenge` event the server sends before it accepts `connect`. */
export const ChallengePayloadSchema = z.looseObject({ nonce: z.string(), ts: lenient(z.number()) });

/** The parts of hello-ok we read. */
export const HelloOkSchema = z.looseObject({
  type: z.literal("hello-ok"),
  protocol: z.number(),
  server: z.looseObject({ bootId: z.string().min(1), version: lenient(z.string()), connId: lenient(z.string()) }),
  policy: z.looseObject({
    tickIntervalMs: z.number().positive(),
    attachments: lenient(
      z.looseObject({ maxBytes: z.number().int().positive(), maxImageBytes: z.number().int().positive() }),
    ),
  }),
  auth: lenient(z.looseObject({ scopes: z.array(z.string()) })),
});
export type HelloOk = z.infer<typeof HelloOkSchema>;

/** `shutdown` event: a numeric restartExpectedMs means a restart is expected, none means a stop. */
export const ShutdownPayloadSchema = z.looseObject({
  reason: z.string().catch("gateway stopping"),
  restartExpectedMs: lenient(z.number()),
});

/** Message content: a string or an array of parts of which only `text` parts carry text. */
export const MessageContentSchema = z
  .union([z.string(), z.array(z.unknown())])
  .optional()
  .catch(undefined);

/** A chat or transcript message as far as we read it. */
export const ChatMessageSchema = z.looseObject({
  role: lenient(z.string()),
  content: MessageContentSchema,
  text: lenient(z.string()),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

const TextPartSchema = z.looseObject({ type: z.literal("text"), text: z.string() });

/** Flattens message content to plain text; non-text parts (tool calls, images, thinking) are skipped. */
export function messageText(message: ChatMessage | undefined): string {
  if (!message) return "";
  const { content } = message;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    const texts: string[] = [];
    for (const part of content) {
      const parsed = TextPartSchema.safeParse(part);
      if (parsed.success) texts.push(parsed.data.text);
    }
    return texts.join("\n");
  }
  return message.text ?? "";
}

/** `chat` event: delta (cumulative `message`), final, aborted, error; `status` and others are ignored. */
export const ChatEventSchema = z.looseObject({
  runId: z.string(),
  sessionKey: z.string(),
  state: z.string(),
  seq: lenient(z.number()),
  deltaText: lenient(z.string()),
  replace: lenient(z.boolean()),
  message: ChatMessageSchema.optional().catch(undefined),
  errorMessage: lenient(z.string()),
  stopReason: lenient(z.string()),
});
export type ChatEventPayload = z.infer<typeof ChatEventSchema>;

/** `agent` event envelope; `data` is read per stream. */
export const AgentEventSchema = z.looseObject({
  runId: z.string(),
  stream: z.string(),
  seq: lenient(z.number()),
  ts: lenient(z.number()),
  sessionKey: lenient(z.string()),
  data: z.record(z.string(), z.unknown()).catch({}),
});
export type AgentEventPayload = z.infer<typeof AgentEventSchema>;

/** `agent` stream "tool" data: {phase, name, toolCallId, args}. */
export const ToolDataSchema = z.looseObject({
  phase: z.string(),
  name: z.string(),
  toolCallId: lenient(z.string()),
  args: z.unknown().optional(),
});

/** `agent` stream "lifecycle" data: {phase: start|finishing|end|error, …}. */
export const LifecycleDataSchema = z.looseObject({
  phase: z.string(),
  stopReason: lenient(z.string()),
  error: z.unknown().optional(),
});
