/**
 * models.list, sessions.patch { model }, sessions.describe and sessions.usage as OpenClaw 2026.9.6
 * answers them (test/e2e/thread-controls-model.e2e.test.ts shows each shape live; docs/openclaw-model-usage.md).
 * @module
 */
import { z } from "zod";
import type { ModelChoice, ReadOptions, SessionModelInfo, TokenUsage, UsageReport } from "../core/model-usage-port.ts";
import { lenient } from "./frames.ts";

/** How the client sends one request (GatewayClientBase.call). */
export type Call = <T>(
  method: string,
  params: unknown,
  options: ReadOptions | undefined,
  schema: z.ZodType<T>,
) => Promise<T>;

const count = z.number().nonnegative().catch(0);

const ModelsListSchema = z.looseObject({
  models: z.array(z.unknown()),
});
const ModelRowSchema = z.looseObject({
  id: z.string().min(1),
  name: lenient(z.string()),
  provider: z.string().min(1),
  available: lenient(z.boolean()),
});

const PatchResultSchema = z.looseObject({
  resolved: lenient(z.looseObject({ modelProvider: lenient(z.string()), model: lenient(z.string()) })),
});

// sessions.describe rows: the selected model, and the last run's usage (OpenClaw writes it at every run's end).
const DescribeSchema = z.looseObject({
  session: z
    .looseObject({
      key: z.string(),
      model: lenient(z.string()),
      modelProvider: lenient(z.string()),
      inputTokens: lenient(z.number()),
      outputTokens: lenient(z.number()),
      cacheRead: lenient(z.number()),
      cacheWrite: lenient(z.number()),
      estimatedCostUsd: lenient(z.number()),
    })
    .nullable()
    .catch(null),
});

const TotalsSchema = z.looseObject({
  input: count,
  output: count,
  cacheRead: count,
  cacheWrite: count,
  totalTokens: count,
  totalCost: lenient(z.number()),
  missingCostEntries: lenient(z.number()),
});
const UsageSchema = z.looseObject({
  sessions: z.array(z.looseObject({ key: z.string(), usage: TotalsSchema.nullable().catch(null) })),
  // "refreshing" (with null usage rows) while OpenClaw counts a transcript it has not counted yet.
  cacheStatus: lenient(z.looseObject({ status: lenient(z.string()) })),
});

/** models.list: rows it cannot read are skipped. */
export async function listModels(call: Call, options?: ReadOptions): Promise<ModelChoice[]> {
  const result = await call("models.list", {}, options, ModelsListSchema);
  return result.models.flatMap((raw) => {
    const row = ModelRowSchema.safeParse(raw);
    if (!row.success) return [];
    const { id, provider, available } = row.data;
    return [{ id, provider, name: row.data.name ?? id, available }];
  });
}

/** sessions.patch { key, model }; OpenClaw accepts any id here, so the caller checks the catalog first. */
export async function setSessionModel(call: Call, params: { key: string; model: string }) {
  const result = await call("sessions.patch", { key: params.key, model: params.model }, undefined, PatchResultSchema);
  return { provider: result.resolved?.modelProvider, model: result.resolved?.model };
}

/** sessions.describe { key }: `{ session: null }` for a key the gateway does not know. */
export async function describeSession(
  call: Call,
  params: { key: string },
  options?: ReadOptions,
): Promise<SessionModelInfo | undefined> {
  const { session } = await call("sessions.describe", { key: params.key }, options, DescribeSchema);
  if (!session) return undefined;
  const input = session.inputTokens;
  const output = session.outputTokens;
  const lastTurn: TokenUsage | undefined =
    input === undefined && output === undefined
      ? undefined
      : tokens({
          input: input ?? 0,
          output: output ?? 0,
          cacheRead: session.cacheRead ?? 0,
          cacheWrite: session.cacheWrite ?? 0,
          costUsd: session.estimatedCostUsd,
        });
  return { key: session.key, provider: session.modelProvider, model: session.model, lastTurn };
}

/** sessions.usage over all time (`range: "all"`) for one key, or the agent's most recent `limit` sessions. */
export async function sessionUsage(
  call: Call,
  params: { key?: string | undefined; agentId?: string | undefined; limit?: number | undefined },
  options?: ReadOptions,
): Promise<UsageReport> {
  const wire = params.key
    ? { key: params.key, range: "all" }
    : { agentId: params.agentId, range: "all", limit: params.limit };
  const result = await call("sessions.usage", defined(wire), options, UsageSchema);
  const sessions = result.sessions.map((row) => ({
    key: row.key,
    usage: row.usage
      ? {
          input: row.usage.input,
          output: row.usage.output,
          cacheRead: row.usage.cacheRead,
          cacheWrite: row.usage.cacheWrite,
          totalTokens: row.usage.totalTokens,
          // Turns of a model without a price are "missing", not free: no cost at all is unknown, not $0.
          costUsd: (row.usage.missingCostEntries ?? 0) > 0 && !row.usage.totalCost ? undefined : row.usage.totalCost,
        }
      : undefined,
  }));
  const status = result.cacheStatus?.status;
  return { sessions, complete: status === undefined || status === "fresh" };
}

function tokens(parts: Omit<TokenUsage, "totalTokens">): TokenUsage {
  return { ...parts, totalTokens: parts.input + parts.output + parts.cacheRead + parts.cacheWrite };
}

function defined(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined));
}
