/**
 * The OpenClaw gateway as the core sees it: requests, events and the shapes they carry.
 * @module
 */

import type { IdentityGatewayPort } from "./identity-port.ts";
import type { ModelUsagePort, ReadOptions } from "./model-usage-port.ts";
import type { RecapExportGatewayPort } from "./recap-export-port.ts";
import type { RunControlGateway } from "./run-control-port.ts";

/** What the bot reads of an OpenClaw session row (sessions.list / chat.history sessionInfo). */
export interface SessionInfo {
  key: string;
  sessionId?: string | undefined;
  label?: string | undefined;
  archived?: boolean | undefined;
  status?: string | undefined;
  hasActiveRun?: boolean | undefined;
  activeRunIds?: string[] | undefined;
  abortedLastRun?: boolean | undefined;
  restartRecoveryStatus?: string | undefined;
  parentSessionKey?: string | undefined;
  spawnDepth?: number | undefined;
  updatedAt?: number | undefined;
}

/** A file the agent sent with a reply, as the transcript names it. */
export interface AgentMedia {
  kind: "image" | "file";
  fileName: string;
  /** The gateway's media route for it; absent when OpenClaw could not deliver it (see `error`). */
  url?: string | undefined;
  mimeType?: string | undefined;
  size?: number | undefined;
  /** Why OpenClaw could not deliver it (file-not-found, unsupported-format, delivery-failed). */
  error?: string | undefined;
}

/** The bytes of a media file fetched from the gateway. */
export interface FetchedMedia {
  bytes: Uint8Array;
  mimeType?: string | undefined;
}

/** One transcript row of chat.history, flattened to text. */
export interface HistoryMessage {
  role: string;
  text: string;
  seq: number;
  runId?: string | undefined;
  /** `__openclaw.idempotencyKey`, e.g. `<turnId>:user` on our user rows. */
  idempotencyKey?: string | undefined;
  /** False on rows OpenClaw wrote itself (its `[System]` prompts). */
  senderIsOwner?: boolean | undefined;
  stopReason?: string | undefined;
  /** Files the row carries (assistant rows, once OpenClaw replaced their `MEDIA:` lines). */
  media?: AgentMedia[] | undefined;
}

/** The result of chat.history. */
export interface ChatHistory {
  sessionKey: string;
  sessionId?: string | undefined;
  messages: HistoryMessage[];
  session: SessionInfo;
  inFlightRunId?: string | undefined;
}

/** How a person may answer an approval. */
export type ApprovalDecision = "allow-once" | "allow-always" | "deny";

/** What became of an approval in the gateway's registry. */
export type ApprovalStatus = "pending" | "allowed" | "denied" | "expired" | "cancelled";

/** An exec approval OpenClaw holds for a human. */
export interface PendingApproval {
  id: string;
  /** The command as OpenClaw presents it. */
  command: string;
  cwd?: string | undefined;
  host?: string | undefined;
  agentId?: string | undefined;
  sessionKey?: string | undefined;
  runId?: string | undefined;
  /** OpenClaw's own warning about the command, when it has one. */
  warning?: string | undefined;
  /** The decisions OpenClaw accepts for it (allow-always only where its policy permits). */
  allowedDecisions: ApprovalDecision[];
  createdAt?: number | undefined;
  expiresAt?: number | undefined;
}

/** Events from the gateway, already validated and flattened. */
export type GatewayEvent =
  | { type: "connected"; bootId: string; previousBootId: string | undefined }
  | { type: "disconnected"; code: number; reason: string }
  | { type: "shutdown"; reason: string; restartExpectedMs?: number | undefined }
  | {
      type: "chat";
      runId: string;
      sessionKey: string;
      state: "delta" | "final" | "aborted" | "error";
      /** Cumulative assistant text so far (empty when the event carries none). */
      text: string;
      errorMessage?: string | undefined;
      stopReason?: string | undefined;
    }
  | {
      type: "tool";
      runId: string;
      sessionKey: string;
      phase: string;
      name: string;
      toolCallId?: string | undefined;
      args?: unknown;
    }
  | { type: "session"; sessionKey: string; reason?: string | undefined; session: SessionInfo }
  | { type: "approval-requested"; approval: PendingApproval }
  /** A run's reply has files (OpenClaw writes them into the transcript shortly after the run ends). */
  | { type: "media"; runId: string; sessionKey: string; count: number }
  | {
      type: "approval-resolved";
      id: string;
      /** Absent when nobody decided (OpenClaw reports an expiry as a deny without a resolver). */
      decision?: ApprovalDecision | undefined;
      resolvedBy?: string | undefined;
    };

/** The attachment ceilings the gateway announced in hello-ok (`policy.attachments`), in bytes. */
export interface AttachmentLimits {
  /** Any one attachment. */
  maxBytes: number;
  /** An image attachment. */
  maxImageBytes: number;
}

/** A file sent with a chat.send, read when the request is written. */
export interface OutgoingAttachment {
  type: "image" | "file";
  mimeType: string;
  fileName: string;
  /** Exact size of what `read` yields. */
  size: number;
  read(): AsyncIterable<Uint8Array>;
}

/** The OpenClaw gateway as the core sees it. Requests fail fast with GATEWAY_AWAY while disconnected. */
export interface GatewayPort extends RunControlGateway, ModelUsagePort, RecapExportGatewayPort, IdentityGatewayPort {
  /**
   * Starts connecting (and reconnecting with backoff, which goes on whatever happens); resolves after
   * the first hello-ok, or rejects with GATEWAY_AWAY when the first attempt fails.
   */
  start(): Promise<void>;
  /** Closes the socket and stops reconnecting. */
  stop(): Promise<void>;
  /**
   * True while a hello-ok'd socket is open — also between a `shutdown` event and the close, while
   * the gateway drains (it then refuses new work with UNAVAILABLE, which surfaces as GATEWAY_AWAY).
   */
  readonly connected: boolean;
  /** bootId of the gateway behind the current (or last) connection. */
  readonly bootId: string | undefined;
  /** Attachment ceilings of the current (or last) connection; undefined before the first hello-ok. */
  readonly attachmentLimits: AttachmentLimits | undefined;
  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: (event: GatewayEvent) => void): () => void;
  /** sessions.create: creates or adopts `key`; returns the canonical key the gateway stored. */
  createSession(params: {
    key: string;
    label?: string | undefined;
    parentSessionKey?: string | undefined;
    spawnDepth?: number | undefined;
  }): Promise<{ key: string; sessionId: string; label?: string | undefined }>;
  /** sessions.patch of label / archived. */
  patchSession(params: {
    key: string;
    label?: string | null | undefined;
    archived?: boolean | undefined;
    expectedSessionId?: string | undefined;
  }): Promise<void>;
  /** sessions.list; a best-effort read passes a shorter `timeoutMs`. */
  listSessions(
    params: {
      label?: string | undefined;
      search?: string | undefined;
      archived?: boolean | "all" | undefined;
      limit?: number | undefined;
    },
    options?: ReadOptions,
  ): Promise<SessionInfo[]>;
  /** chat.send with deliver:false. */
  chatSend(params: {
    sessionKey: string;
    message: string;
    idempotencyKey: string;
    attachments?: readonly OutgoingAttachment[] | undefined;
  }): Promise<{ runId: string; status: string }>;
  /** chat.history. */
  chatHistory(params: { sessionKey: string; limit?: number | undefined }): Promise<ChatHistory>;
  /** chat.abort. */
  chatAbort(params: { sessionKey: string; runId?: string | undefined }): Promise<void>;
  /** exec.approval.list: the approvals still pending. */
  listApprovals(): Promise<PendingApproval[]>;
  /** approval.get: what became of an approval (first answer wins in the gateway's registry). */
  approvalStatus(id: string): Promise<{
    status: ApprovalStatus;
    decision?: ApprovalDecision | undefined;
    resolvedBy?: string | undefined;
  }>;
  /** exec.approval.resolve; rejects (GATEWAY_ERROR, reason approval-resolved / approval-unknown) when it cannot. */
  resolveApproval(params: { id: string; decision: ApprovalDecision }): Promise<void>;
  /** Fetches a file of the agent's from the gateway's media route; BAD_INPUT past `maxBytes`. */
  fetchMedia(params: { url: string; maxBytes: number }): Promise<FetchedMedia>;
  /** sessions.recover for a restart-tombstoned session. */
  recoverSession(params: {
    key: string;
  }): Promise<{ key: string; sessionId: string; continuationRunId?: string | undefined }>;
}
