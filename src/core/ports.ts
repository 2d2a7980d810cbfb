import type { Platform } from "./keys/conversation-key.ts";
import type { StoreState } from "./model.ts";

/* ───────────────────────────── store ───────────────────────────── */

/**
 * A JSON merge patch (RFC 7396) over the store state: objects merge key by key,
 * `null` deletes a key, anything else replaces the value at that key.
 */
export type MergePatch<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: MergePatch<T[K]> | null }
    : T;

/** The bot's durable state: one in-memory tree, changed only through merges. */
export interface StorePort {
  /** The current state (read-only view; never mutate it). */
  readonly state: Readonly<StoreState>;
  /**
   * Applies a merge patch in memory at once (so later reads see it) and resolves
   * when it has reached the disk. Concurrent patches are serialized and coalesced.
   */
  update(patch: MergePatch<StoreState>): Promise<void>;
  /** Resolves when every patch applied so far is on disk. */
  flush(): Promise<void>;
  /** Flushes and releases the file. */
  close(): Promise<void>;
}

/**
 * Where the files of turns in flight are kept (beside the store), so a turn sent again after a
 * restart still carries them. Blobs are written whole or not at all.
 */
export interface BlobStore {
  /** Writes `bytes` as a new blob, refusing past `maxBytes` (BAD_INPUT, nothing kept); returns its id and size. */
  write(bytes: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ id: string; size: number }>;
  /** Reads a blob in chunks. */
  read(id: string): AsyncIterable<Uint8Array>;
  /** Removes blobs (missing ones are ignored). */
  remove(ids: readonly string[]): Promise<void>;
  /** Removes every blob not in `keep` (left by a crash); returns how many went. */
  sweep(keep: ReadonlySet<string>): Promise<number>;
}

/* ───────────────────────────── gateway ───────────────────────────── */

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
export interface GatewayPort {
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
  /** sessions.list. */
  listSessions(params: {
    label?: string | undefined;
    search?: string | undefined;
    archived?: boolean | "all" | undefined;
    limit?: number | undefined;
  }): Promise<SessionInfo[]>;
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
  /** sessions.recover for a restart-tombstoned session. */
  recoverSession(params: {
    key: string;
  }): Promise<{ key: string; sessionId: string; continuationRunId?: string | undefined }>;
}

/* ───────────────────────────── channels ───────────────────────────── */

/** A button under a message; `data` is an opaque action string (≤ 64 bytes for Telegram). */
export interface Button {
  label: string;
  data: string;
}

/** A message the core asks a channel to show. */
export interface OutgoingMessage {
  text: string;
  /** `markdown` for agent output (each channel renders it), `plain` for the bot's own text. */
  format?: "markdown" | "plain" | undefined;
  buttons?: Button[] | undefined;
}

/** A file the agent sent, shown natively in a conversation (a photo, a document). */
export interface OutgoingFile {
  /** `image` is shown as a picture where the platform can; anything else as a document. */
  kind: "image" | "file";
  fileName: string;
  mimeType: string;
  /** The whole file (at most the channel's maxFileBytes). */
  bytes: Uint8Array;
}

/** What the core needs from a platform to talk into conversations. */
export interface ChannelPort {
  /** The platform whose conversation keys this channel serves. */
  readonly platform: Platform;
  /** Longest message text, in UTF-16 units (Telegram 4096, Discord 2000). */
  readonly maxMessageLength: number;
  /** Shortest gap between two edits of one message that the platform accepts. */
  readonly minEditIntervalMs: number;
  /** Posts a message; resolves with the platform message id. */
  send(conversation: string, message: OutgoingMessage): Promise<string>;
  /** Replaces the text (and buttons) of a message this bot posted. */
  edit(conversation: string, messageId: string, message: OutgoingMessage): Promise<void>;
  /** Shows "typing…" for a few seconds. */
  typing(conversation: string): Promise<void>;
  /** Largest file `sendFile` takes, in bytes (Telegram 50 MB, Discord 10 MB); set only with `sendFile`. */
  readonly maxFileBytes?: number | undefined;
  /** Posts a file (photo or document) natively; resolves with the message id. Optional capability. */
  sendFile?(conversation: string, file: OutgoingFile): Promise<string>;
}

/* ───────────────────────────── misc ───────────────────────────── */

/** Structured logger; implementations must redact secrets. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Time source, injected so tests can control it. */
export interface Clock {
  now(): number;
}
