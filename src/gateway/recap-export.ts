/**
 * The gateway methods of recaps and transcript export (issue 13, slice h4): sessions.activitySummary.ensure
 * and paged chat.history. OpenClawGateway delegates to these with one line per method. Shapes: the pinned
 * gateway's docs (gateway/protocol/rpc-session-control.md) and dist, checked in
 * test/e2e/thread-controls-recap.e2e.test.ts; what was found is in docs/openclaw-agent-loop.md §6.
 * @module
 */
import { z } from "zod";
import type { ActivitySummary, HistoryPage, TranscriptPart, TranscriptRow } from "../core/recap-export-port.ts";
import { lenient } from "./frames.ts";
import type { RequestOptions } from "./options.ts";

/** How a method of the client is called (GatewayClientBase.call). */
export type Call = <T>(
  method: string,
  params: unknown,
  options: RequestOptions | undefined,
  schema: z.ZodType<T>,
) => Promise<T>;

const SummarySchema = z.looseObject({
  state: z.enum(["current", "stale", "updating", "unavailable"]).catch("unavailable"),
  text: lenient(z.string()),
  updatedAt: lenient(z.number()),
});

const EnsureResultSchema = z.looseObject({
  sessions: z.array(
    z.looseObject({
      key: z.string(),
      activitySummary: SummarySchema.optional().catch(undefined),
    }),
  ),
});

/** sessions.activitySummary.ensure: OpenClaw takes 1–20 sessions per call and answers at once. */
export async function ensureActivitySummaries(
  call: Call,
  keys: readonly string[],
  options?: RequestOptions,
): Promise<Map<string, ActivitySummary>> {
  const out = new Map<string, ActivitySummary>();
  if (keys.length === 0) return out;
  const sessions = keys.slice(0, MAX_ENSURE).map((key) => ({ key }));
  const result = await call("sessions.activitySummary.ensure", { sessions }, options, EnsureResultSchema);
  for (const row of result.sessions) {
    const summary = row.activitySummary;
    if (summary) out.set(row.key, { state: summary.state, text: summary.text, updatedAt: summary.updatedAt });
  }
  return out;
}

/** The most sessions one ensure call takes (the gateway refuses more). */
export const MAX_ENSURE = 20;

const PartSchema = z.looseObject({
  type: z.string(),
  text: lenient(z.string()),
  name: lenient(z.string()),
  arguments: z.unknown().optional(),
  input: z.unknown().optional(),
});

const RowSchema = z.looseObject({
  role: z.string().catch("unknown"),
  content: z
    .union([z.string(), z.array(z.unknown())])
    .optional()
    .catch(undefined),
  toolName: lenient(z.string()),
  isError: lenient(z.boolean()),
  timestamp: lenient(z.number()),
  __openclaw: lenient(z.looseObject({ seq: lenient(z.number()), senderIsOwner: lenient(z.boolean()) })),
});

const PageSchema = z.looseObject({
  messages: z.array(z.unknown()).catch([]),
  nextOffset: lenient(z.number()),
  hasMore: lenient(z.boolean()),
  totalMessages: lenient(z.number()),
});

/**
 * One chat.history page. `offset` counts rows back from the newest (0: the newest page); the gateway
 * answers `hasMore` and `nextOffset` for the next older page, already adjusted for rows it dropped to
 * keep the answer within its byte budget.
 */
export async function historyPage(
  call: Call,
  params: { sessionKey: string; limit: number; offset?: number | undefined },
): Promise<HistoryPage> {
  const wire = {
    sessionKey: params.sessionKey,
    limit: params.limit,
    ...(params.offset ? { offset: params.offset } : {}),
  };
  const page = await call("chat.history", wire, undefined, PageSchema);
  const rows: TranscriptRow[] = [];
  for (const raw of page.messages) {
    const row = toRow(raw);
    if (row) rows.push(row);
  }
  const more = page.hasMore === true && page.nextOffset !== undefined;
  return { rows, nextOffset: more ? page.nextOffset : undefined, totalMessages: page.totalMessages };
}

function toRow(raw: unknown): TranscriptRow | undefined {
  const parsed = RowSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const row = parsed.data;
  return {
    role: row.role,
    parts: toParts(row.content),
    toolName: row.toolName,
    isError: row.isError,
    timestamp: row.timestamp,
    seq: row.__openclaw?.seq,
    senderIsOwner: row.__openclaw?.senderIsOwner,
    raw,
  };
}

function toParts(content: string | unknown[] | undefined): TranscriptPart[] {
  if (content === undefined) return [];
  if (typeof content === "string") return [{ kind: "text", text: content }];
  return content.flatMap((item): TranscriptPart[] => {
    const part = PartSchema.safeParse(item);
    if (!part.success) return [];
    const { type, text, name } = part.data;
    if (type === "text" && text !== undefined) return [{ kind: "text", text }];
    // OpenClaw's transcript writes tool calls as {type:"toolCall", name, arguments}; older rows may use tool_use/input.
    if (TOOL_CALL_TYPES.has(type) && name) {
      return [{ kind: "tool-call", name, arguments: part.data.arguments ?? part.data.input }];
    }
    return [{ kind: "other", type }];
  });
}

const TOOL_CALL_TYPES = new Set(["toolCall", "tool_use", "toolUse", "tool_call"]);
