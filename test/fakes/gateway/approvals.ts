import { invalid, uuid } from "./protocol.ts";
import type { MethodContext, MethodHandler } from "./session-methods.ts";

type Decision = "allow-once" | "allow-always" | "deny";
type Status = "pending" | "allowed" | "denied" | "expired" | "cancelled";

/** What an exec asks for, as the fake model's tool call describes it. */
export interface ApprovalAsk {
  sessionKey: string;
  runId: string;
  command: string;
  allowedDecisions?: Decision[] | undefined;
  timeoutMs?: number | undefined;
}

interface Entry {
  id: string;
  request: Record<string, unknown>;
  createdAtMs: number;
  expiresAtMs: number;
  status: Status;
  decision?: Decision;
  resolvedBy?: string | null;
  reason?: string;
  settle: (decision: Decision | null) => void;
  timer: ReturnType<typeof setTimeout>;
}

const THIRTY_MINUTES = 30 * 60_000;

/**
 * OpenClaw's durable approval registry as test/e2e/agent-approvals.e2e.test.ts shows it: a request is
 * broadcast to approval clients (operator.admin + caps exec-approvals), listed while pending, resolved
 * first-answer-wins (the same answer again is accepted, another refused), expired as a deny nobody made,
 * and cancelled by a crash (unknown to resolve afterwards, still told by approval.get).
 */
export class FakeApprovalRegistry {
  readonly #entries = new Map<string, Entry>();
  #broadcast: (event: string, payload: Record<string, unknown>) => void = () => {};

  /** Where requested/resolved events go (the current boot's approval clients). */
  connect(broadcast: (event: string, payload: Record<string, unknown>) => void): void {
    this.#broadcast = broadcast;
  }

  /** Asks; resolves with the decision, or null on expiry or a crash. */
  ask(ask: ApprovalAsk, signal?: AbortSignal): Promise<Decision | null> {
    const id = uuid();
    const createdAtMs = Date.now();
    const request = {
      command: ask.command,
      cwd: "/workspace",
      host: "gateway",
      agentId: ask.sessionKey.split(":")[1] ?? "main",
      sessionKey: ask.sessionKey,
      runId: ask.runId,
      warningText: null,
      allowedDecisions: ask.allowedDecisions ?? ["allow-once", "deny"],
    };
    return new Promise((resolve) => {
      const timeout = ask.timeoutMs ?? THIRTY_MINUTES;
      const timer = setTimeout(() => this.#finish(id, "expired", "deny", null, "timeout"), timeout);
      timer.unref?.();
      const expiresAtMs = createdAtMs + timeout;
      this.#entries.set(id, { id, request, createdAtMs, expiresAtMs, status: "pending", settle: resolve, timer });
      signal?.addEventListener("abort", () => this.#finish(id, "cancelled", "deny", null, "run-aborted"));
      this.#broadcast("exec.approval.requested", { approvalKind: "exec", id, request, createdAtMs, expiresAtMs });
    });
  }

  /** exec.approval.resolve. */
  resolve(id: string, decision: unknown, by: string): void {
    if (decision !== "allow-once" && decision !== "allow-always" && decision !== "deny")
      throw invalid("invalid decision");
    const entry = this.#entries.get(id);
    if (!entry || entry.status === "cancelled") {
      throw invalid("unknown or expired approval id", { reason: "APPROVAL_NOT_FOUND" });
    }
    if (entry.status !== "pending") {
      if (entry.decision === decision && entry.status !== "expired") return;
      throw invalid("approval already resolved", { reason: "APPROVAL_ALREADY_RESOLVED" });
    }
    const allowed = entry.request.allowedDecisions as Decision[];
    if (!allowed.includes(decision)) {
      throw invalid(`${decision} is unavailable for this command`, { reason: "APPROVAL_ALLOW_ALWAYS_UNAVAILABLE" });
    }
    this.#finish(id, decision === "deny" ? "denied" : "allowed", decision, by, "user");
  }

  /** A crash: every pending approval is cancelled (gateway-restart), its run gone with the boot. */
  crash(): void {
    for (const entry of this.#entries.values()) {
      if (entry.status !== "pending") continue;
      clearTimeout(entry.timer);
      Object.assign(entry, { status: "cancelled", reason: "gateway-restart", resolvedBy: null });
    }
  }

  /** exec.approval.list rows. */
  pending(): Record<string, unknown>[] {
    return [...this.#entries.values()]
      .filter((e) => e.status === "pending")
      .map((e) => ({
        approvalKind: "exec",
        id: e.id,
        request: e.request,
        createdAtMs: e.createdAtMs,
        expiresAtMs: e.expiresAtMs,
      }));
  }

  /** approval.get. */
  get(id: string): Record<string, unknown> {
    const e = this.#entries.get(id);
    if (!e) throw invalid("unknown or expired approval id", { reason: "APPROVAL_NOT_FOUND" });
    return {
      approval: {
        id: e.id,
        status: e.status,
        createdAtMs: e.createdAtMs,
        expiresAtMs: e.expiresAtMs,
        ...(e.decision ? { decision: e.decision } : {}),
        ...(e.reason ? { reason: e.reason } : {}),
        ...(e.status === "pending"
          ? {}
          : { resolver: { kind: e.resolvedBy ? "runtime" : "system", id: e.resolvedBy ?? null } }),
      },
    };
  }

  #finish(id: string, status: Status, decision: Decision, by: string | null, reason: string): void {
    const entry = this.#entries.get(id);
    if (entry?.status !== "pending") return;
    clearTimeout(entry.timer);
    Object.assign(entry, { status, decision, resolvedBy: by, reason });
    if (status !== "cancelled") {
      this.#broadcast("exec.approval.resolved", {
        id,
        decision,
        resolvedBy: by,
        ts: Date.now(),
        request: entry.request,
      });
    }
    entry.settle(status === "allowed" ? decision : status === "denied" ? "deny" : null);
  }
}

/** The approval methods, for an approver connection. */
export const approvalMethods: Record<string, MethodHandler> = {
  "exec.approval.list": (_params, ctx: MethodContext) => ctx.approvals.pending(),
  "approval.get": (params, ctx: MethodContext) => ctx.approvals.get(String(params.id ?? "")),
  "exec.approval.resolve": (params, ctx: MethodContext) => {
    ctx.approvals.resolve(String(params.id ?? ""), params.decision, "gateway-client");
    return { ok: true };
  },
};
