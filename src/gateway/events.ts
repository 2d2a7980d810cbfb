import type { GatewayEvent, Logger } from "../core/ports.ts";
import { ApprovalResolvedSchema, toPendingApproval } from "./approvals.ts";
import {
  AgentEventSchema,
  type ChatEventPayload,
  ChatEventSchema,
  type EventFrame,
  messageText,
  ShutdownPayloadSchema,
  ToolDataSchema,
} from "./frames.ts";
import { SessionRowSchema, toSessionInfo } from "./results.ts";

const CHAT_STATES = new Set(["delta", "final", "aborted", "error"]);
type ChatState = "delta" | "final" | "aborted" | "error";

/**
 * Turns event frames into the port's GatewayEvents. It keeps the text of each run
 * so far, because a delta may carry only `deltaText` and a terminal event may carry
 * no `message`: then the text is what the run streamed (empty for a run that never
 * streamed, such as the empty `final` of a message queued behind a recovery run).
 */
export class EventRouter {
  readonly #texts = new Map<string, string>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** The GatewayEvent for a frame, or undefined for events the port does not carry. */
  route(frame: EventFrame): GatewayEvent | undefined {
    switch (frame.event) {
      case "chat":
        return this.#chat(frame.payload);
      case "agent":
        return this.#agent(frame.payload);
      case "sessions.changed":
        return this.#session(frame.payload);
      case "exec.approval.requested": {
        const approval = toPendingApproval(frame.payload);
        return approval ? { type: "approval-requested", approval } : this.#invalid(frame.event, 1);
      }
      case "exec.approval.resolved": {
        const resolved = ApprovalResolvedSchema.safeParse(frame.payload);
        if (!resolved.success) return this.#invalid(frame.event, resolved.error.issues.length);
        const { id, decision, resolvedBy } = resolved.data;
        return { type: "approval-resolved", id, decision: decision ?? undefined, resolvedBy: resolvedBy ?? undefined };
      }
      case "shutdown": {
        const payload = ShutdownPayloadSchema.safeParse(frame.payload ?? {});
        const data = payload.success ? payload.data : { reason: "gateway stopping", restartExpectedMs: undefined };
        return { type: "shutdown", reason: data.reason, restartExpectedMs: data.restartExpectedMs };
      }
      default:
        return undefined;
    }
  }

  /** Forgets partial texts (after a disconnect no terminal event will come for them). */
  reset(): void {
    this.#texts.clear();
  }

  #chat(raw: unknown): GatewayEvent | undefined {
    const parsed = ChatEventSchema.safeParse(raw);
    if (!parsed.success) return this.#invalid("chat", parsed.error.issues.length);
    const payload = parsed.data;
    if (!CHAT_STATES.has(payload.state)) return undefined;
    const state = payload.state as ChatState;
    const text = this.#text(payload);
    if (state === "delta") this.#texts.set(payload.runId, text);
    else this.#texts.delete(payload.runId);
    return {
      type: "chat",
      runId: payload.runId,
      sessionKey: payload.sessionKey,
      state,
      text,
      errorMessage: payload.errorMessage,
      stopReason: payload.stopReason,
    };
  }

  #text(payload: ChatEventPayload): string {
    if (payload.message) return messageText(payload.message);
    const before = this.#texts.get(payload.runId) ?? "";
    if (payload.state !== "delta" || payload.deltaText === undefined) return before;
    return payload.replace ? payload.deltaText : before + payload.deltaText;
  }

  #agent(raw: unknown): GatewayEvent | undefined {
    const parsed = AgentEventSchema.safeParse(raw);
    if (!parsed.success) return this.#invalid("agent", parsed.error.issues.length);
    const payload = parsed.data;
    if (payload.stream === "assistant") return this.#media(payload);
    if (payload.stream !== "tool") return undefined;
    const data = ToolDataSchema.safeParse(payload.data);
    if (!data.success) return this.#invalid("agent tool", data.error.issues.length);
    return {
      type: "tool",
      runId: payload.runId,
      sessionKey: payload.sessionKey ?? "",
      phase: data.data.phase,
      name: data.data.name,
      toolCallId: data.data.toolCallId,
      args: data.data.args,
    };
  }

  /** The assistant stream names a reply's files (`mediaUrls`) before the transcript has them. */
  #media(payload: { runId: string; sessionKey?: string | undefined; data?: unknown }): GatewayEvent | undefined {
    const data = payload.data as { mediaUrls?: unknown } | undefined;
    const urls = Array.isArray(data?.mediaUrls) ? data.mediaUrls.filter((u) => typeof u === "string") : [];
    if (urls.length === 0) return undefined;
    return { type: "media", runId: payload.runId, sessionKey: payload.sessionKey ?? "", count: urls.length };
  }

  // sessions.changed has carried the row both nested (`session`) and flattened into the payload.
  #session(raw: unknown): GatewayEvent | undefined {
    if (typeof raw !== "object" || raw === null) return this.#invalid("sessions.changed", 1);
    const payload = raw as Record<string, unknown>;
    const nested = typeof payload.session === "object" && payload.session !== null ? payload.session : payload;
    const row = SessionRowSchema.safeParse(nested);
    if (!row.success) return this.#invalid("sessions.changed", row.error.issues.length);
    const key = typeof payload.sessionKey === "string" ? payload.sessionKey : (row.data.key ?? payload.key);
    if (typeof key !== "string") return undefined;
    const reason = typeof payload.reason === "string" ? payload.reason : undefined;
    return { type: "session", sessionKey: key, reason, session: toSessionInfo(row.data, key) };
  }

  #invalid(event: string, issues: number): undefined {
    this.#logger.warn("gateway event we cannot read", { event, issues });
    return undefined;
  }
}
