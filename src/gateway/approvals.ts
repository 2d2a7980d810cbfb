import { z } from "zod";
import type { ApprovalDecision, ApprovalStatus, PendingApproval } from "../core/ports.ts";

/**
 * Exec approvals as OpenClaw 2026.9.6 sends them (test/e2e/agent-approvals.e2e.test.ts shows each
 * shape live): `exec.approval.requested` and each `exec.approval.list` row carry the request; the
 * durable registry's `approval.get` tells what became of one.
 */

const Decision = z.enum(["allow-once", "allow-always", "deny"]);
const lenientString = z.string().optional().catch(undefined);
const lenientNumber = z.number().optional().catch(undefined);

export const ApprovalRequestSchema = z.looseObject({
  id: z.string().min(1),
  approvalKind: lenientString,
  request: z.looseObject({
    command: z.string().catch(""),
    cwd: z.string().nullish().catch(undefined),
    host: z.string().nullish().catch(undefined),
    agentId: z.string().nullish().catch(undefined),
    sessionKey: z.string().nullish().catch(undefined),
    runId: z.string().nullish().catch(undefined),
    warningText: z.string().nullish().catch(undefined),
    allowedDecisions: z.array(z.string()).catch(["allow-once", "deny"]),
  }),
  createdAtMs: lenientNumber,
  expiresAtMs: lenientNumber,
});

export const ApprovalResolvedSchema = z.looseObject({
  id: z.string().min(1),
  decision: Decision.nullish().catch(undefined),
  resolvedBy: z.string().nullish().catch(undefined),
});

export const ApprovalListSchema = z.array(z.unknown());

export const ApprovalGetSchema = z.looseObject({
  approval: z.looseObject({
    id: z.string(),
    status: z.string(),
    decision: Decision.nullish().catch(undefined),
    reason: lenientString,
    resolver: z
      .looseObject({ id: z.string().nullish().catch(undefined) })
      .nullish()
      .catch(undefined),
  }),
});

/** The port's PendingApproval for a request payload, or undefined when it is not one we can show. */
export function toPendingApproval(raw: unknown): PendingApproval | undefined {
  const parsed = ApprovalRequestSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const { id, request, createdAtMs, expiresAtMs } = parsed.data;
  const decisions = request.allowedDecisions.filter((d): d is ApprovalDecision => Decision.safeParse(d).success);
  return {
    id,
    command: request.command,
    cwd: request.cwd ?? undefined,
    host: request.host ?? undefined,
    agentId: request.agentId ?? undefined,
    sessionKey: request.sessionKey ?? undefined,
    runId: request.runId ?? undefined,
    warning: request.warningText ?? undefined,
    allowedDecisions: decisions.length > 0 ? decisions : ["allow-once", "deny"],
    createdAt: createdAtMs,
    expiresAt: expiresAtMs,
  };
}

const STATUSES: Readonly<Record<string, ApprovalStatus>> = {
  pending: "pending",
  allowed: "allowed",
  denied: "denied",
  expired: "expired",
  cancelled: "cancelled",
};

/** What the registry says became of an approval. */
export function toApprovalStatus(raw: z.infer<typeof ApprovalGetSchema>): {
  status: ApprovalStatus;
  decision?: ApprovalDecision | undefined;
  resolvedBy?: string | undefined;
} {
  const { approval } = raw;
  return {
    status: STATUSES[approval.status] ?? "cancelled",
    decision: approval.decision ?? undefined,
    resolvedBy: approval.resolver?.id ?? undefined,
  };
}
