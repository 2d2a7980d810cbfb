/**
 * The OpenClaw gateway port over protocol v4.
 *
 * We write our own client instead of using @openclaw/gateway-client@2026.9.1: that
 * package is a release behind the 2026.9.6 server, does not validate payloads with
 * zod at our boundary, and does not let us inject the socket and the clock.
 *
 * @module
 */
import type {
  ApprovalDecision,
  ChatHistory,
  FetchedMedia,
  GatewayPort,
  OutgoingAttachment,
  PendingApproval,
  SessionInfo,
} from "../core/ports.ts";
import { ApprovalGetSchema, ApprovalListSchema, toApprovalStatus, toPendingApproval } from "./approvals.ts";
import { GatewayClientBase } from "./base-client.ts";
import { deleteSession, forkSession, resetSession } from "./identity.ts";
import { fetchGatewayMedia } from "./media.ts";
import * as modelUsage from "./model-usage.ts";
import type { OpenClawGatewayOptions, RequestOptions } from "./options.ts";
import * as recapExport from "./recap-export.ts";
import {
  ChatHistoryResultSchema,
  ChatSendResultSchema,
  parseSessionRows,
  SessionsCreateResultSchema,
  SessionsListResultSchema,
  SessionsRecoverResultSchema,
  toChatHistory,
} from "./results.ts";
import { chatInterrupt } from "./run-control.ts";
import { Base64Blob } from "./wire.ts";

// The gateway's param schemas are closed objects: send exactly the known fields, never undefined ones.
function defined(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined));
}

/** GatewayPort over one reconnecting WebSocket to an OpenClaw 2026.9 gateway. */
export class OpenClawGateway extends GatewayClientBase implements GatewayPort {
  readonly #media: Pick<OpenClawGatewayOptions, "url" | "token" | "fetch">;

  constructor(options: OpenClawGatewayOptions) {
    super(options);
    this.#media = { url: options.url, token: options.token, fetch: options.fetch };
  }

  forkSession = (params: Parameters<GatewayPort["forkSession"]>[0]) => forkSession(this, params);
  resetSession = (params: Parameters<GatewayPort["resetSession"]>[0]) => resetSession(this, params);
  deleteSession = (params: Parameters<GatewayPort["deleteSession"]>[0]) => deleteSession(this, params);

  /** A file of the agent's, from the gateway's media route on its own port, with the token as bearer. */
  fetchMedia(params: { url: string; maxBytes: number }): Promise<FetchedMedia> {
    const { url: gatewayUrl, token, fetch } = this.#media;
    return fetchGatewayMedia({ gatewayUrl, token, path: params.url, maxBytes: params.maxBytes, fetch });
  }
  /** sessions.create: creates or adopts `key`; returns the canonical key the gateway stored. */
  async createSession(
    params: {
      key: string;
      label?: string | undefined;
      parentSessionKey?: string | undefined;
      spawnDepth?: number | undefined;
    },
    options?: RequestOptions,
  ): Promise<{ key: string; sessionId: string; label?: string | undefined }> {
    const { key, label, parentSessionKey, spawnDepth } = params;
    const wire = defined({ key, label, parentSessionKey, spawnDepth });
    const result = await this.call("sessions.create", wire, options, SessionsCreateResultSchema);
    return { key: result.key, sessionId: result.sessionId, label: result.entry?.label ?? params.label };
  }

  /** sessions.patch of label / archived (archived needs expectedSessionId). */
  async patchSession(
    params: {
      key: string;
      label?: string | null | undefined;
      archived?: boolean | undefined;
      expectedSessionId?: string | undefined;
    },
    options?: RequestOptions,
  ): Promise<void> {
    const { key, label, archived, expectedSessionId } = params;
    await this.call("sessions.patch", defined({ key, label, archived, expectedSessionId }), options);
  }

  /** sessions.list; archived rows only with `archived: true | "all"`. */
  async listSessions(
    params: {
      label?: string | undefined;
      search?: string | undefined;
      archived?: boolean | "all" | undefined;
      limit?: number | undefined;
    },
    options?: RequestOptions,
  ): Promise<SessionInfo[]> {
    const { label, search, archived, limit } = params;
    const wire = defined({ label, search, archived, limit });
    const result = await this.call("sessions.list", wire, options, SessionsListResultSchema);
    return parseSessionRows(result.sessions);
  }

  /** chat.send with deliver:false; the ack's runId is the idempotency key. Files go base64, streamed into the frame. */
  async chatSend(
    params: {
      sessionKey: string;
      message: string;
      idempotencyKey: string;
      attachments?: readonly OutgoingAttachment[] | undefined;
    },
    options?: RequestOptions,
  ): Promise<{ runId: string; status: string }> {
    const { sessionKey, message, idempotencyKey } = params;
    const attachments = params.attachments?.map((a) => ({
      type: a.type,
      mimeType: a.mimeType,
      fileName: a.fileName,
      content: new Base64Blob(a.size, () => a.read()),
    }));
    const wire = defined({ sessionKey, message, idempotencyKey, deliver: false, attachments });
    const result = await this.call("chat.send", wire, options, ChatSendResultSchema);
    return { runId: result.runId, status: result.status };
  }

  /** chat.send with queueMode "interrupt" (src/gateway/run-control.ts). */
  chatInterrupt(params: { sessionKey: string; message: string; idempotencyKey: string }, options?: RequestOptions) {
    return chatInterrupt((m, p, o, s) => this.call(m, p, o, s), params, options);
  }

  /** chat.history, flattened to text rows plus the session row. */
  async chatHistory(
    params: { sessionKey: string; limit?: number | undefined },
    options?: RequestOptions,
  ): Promise<ChatHistory> {
    const wire = defined({ sessionKey: params.sessionKey, limit: params.limit });
    const result = await this.call("chat.history", wire, options, ChatHistoryResultSchema);
    return toChatHistory(result, params.sessionKey);
  }

  /** chat.abort of the session's run (or of `runId`). */
  async chatAbort(params: { sessionKey: string; runId?: string | undefined }, options?: RequestOptions): Promise<void> {
    await this.call("chat.abort", defined({ sessionKey: params.sessionKey, runId: params.runId }), options);
  }

  /** exec.approval.list: the pending approvals (rows it cannot read are skipped). */
  async listApprovals(options?: RequestOptions): Promise<PendingApproval[]> {
    const rows = await this.call("exec.approval.list", {}, options, ApprovalListSchema);
    return rows.map(toPendingApproval).filter((a): a is PendingApproval => a !== undefined);
  }

  /** approval.get: what became of an approval in the durable registry. */
  async approvalStatus(id: string, options?: RequestOptions) {
    return toApprovalStatus(await this.call("approval.get", { id }, options, ApprovalGetSchema));
  }

  /** exec.approval.resolve; a second different answer is refused by the gateway (first answer wins). */
  async resolveApproval(params: { id: string; decision: ApprovalDecision }, options?: RequestOptions): Promise<void> {
    await this.call("exec.approval.resolve", { id: params.id, decision: params.decision }, options);
  }

  // The model and usage methods (ModelUsagePort) live in model-usage.ts.
  listModels = (options?: RequestOptions) => modelUsage.listModels(this.#call, options);
  setSessionModel = (params: { key: string; model: string }) => modelUsage.setSessionModel(this.#call, params);
  describeSession = (params: { key: string }, options?: RequestOptions) =>
    modelUsage.describeSession(this.#call, params, options);
  sessionUsage = (params: { key?: string; agentId?: string; limit?: number }, options?: RequestOptions) =>
    modelUsage.sessionUsage(this.#call, params, options);
  /** sessions.activitySummary.ensure (recaps; slice h4). */
  ensureActivitySummaries = (keys: readonly string[], options?: RequestOptions) =>
    recapExport.ensureActivitySummaries(this.#call, keys, options);
  /** chat.history, one page of raw rows (export; slice h4). */
  historyPage = (params: Parameters<typeof recapExport.historyPage>[1]) => recapExport.historyPage(this.#call, params);
  readonly #call: modelUsage.Call = (method, params, options, schema) => this.call(method, params, options, schema);

  /** sessions.recover of a restart-tombstoned session; the transcript continues under a new key. */
  async recoverSession(
    params: { key: string },
    options?: RequestOptions,
  ): Promise<{ key: string; sessionId: string; continuationRunId?: string | undefined }> {
    const result = await this.call("sessions.recover", { key: params.key }, options, SessionsRecoverResultSchema);
    const continuation = result.continuation?.status === "started" ? result.continuation.runId : undefined;
    return { key: result.key, sessionId: result.sessionId, continuationRunId: continuation };
  }
}

/** Builds the gateway port; throws BotError(CONFIG) for a ws:// URL to a non-loopback host. */
export function createOpenClawGateway(options: OpenClawGatewayOptions): OpenClawGateway {
  return new OpenClawGateway(options);
}
