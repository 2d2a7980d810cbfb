import { z } from "zod";

/**
 * The bot's durable state, one zod schema per record kind. The store validates the
 * whole file against StoreStateSchema on load; every change is a JSON merge patch
 * (RFC 7396) applied to this tree, so a change to one field never drops another.
 */

const Millis = z.number().int().nonnegative();

/**
 * How a crash-cut turn is continued (ARCHITECTURE.md §6): `confirm` waits for the person (the bot takes
 * OpenClaw's re-run back), `auto` lets OpenClaw's re-run go on, `confirm-child` waits for the person by
 * making new threads child sessions (the first mechanism; it costs what README "What confirm costs" says).
 */
export const ResumePolicySchema = z.enum(["confirm", "auto", "confirm-child"]);
export type ResumePolicy = z.infer<typeof ResumePolicySchema>;

/** What a person is told about one thread: does a crash-cut turn wait for them or not. */
export type ThreadPolicy = "confirm" | "auto";

/**
 * The policy a thread's crash-cut turns follow: a child session is never re-run by OpenClaw, whatever the
 * setting; an ordinary session waits under `confirm` and `confirm-child` alike (its re-run is taken back).
 */
export function threadPolicy(thread: { parentSessionKey?: string | undefined }, policy: ResumePolicy): ThreadPolicy {
  return thread.parentSessionKey !== undefined || policy !== "auto" ? "confirm" : "auto";
}

/** What a thread is doing now, as kept in the store; `queued (n)` is derived from the inbox. */
export const TurnStateSchema = z.enum(["idle", "running", "interrupted", "awaiting-resume", "recovering"]);
export type TurnState = z.infer<typeof TurnStateSchema>;

/** A named thread: one OpenClaw session reached by name from any bound conversation. */
export const ThreadSchema = z.object({
  slug: z.string(),
  /** The name as the person first typed it (trimmed). */
  name: z.string(),
  agentId: z.string(),
  /** The key the gateway returned; changes only when sessions.recover moves the thread. */
  sessionKey: z.string(),
  /** The OpenClaw label actually set (the name, or a disambiguated form on a clash). */
  label: z.string().optional(),
  /** Set when the thread was created as a child of the bot's root session (confirm-child policy). */
  parentSessionKey: z.string().optional(),
  createdAt: Millis,
  createdBy: z.string(),
  lastActivityAt: Millis,
  messageCount: z.number().int().nonnegative(),
  state: TurnStateSchema,
});
export type Thread = z.infer<typeof ThreadSchema>;

/** A conversation bound to a thread; keyed by conversation key. */
export const BindingSchema = z.object({
  slug: z.string(),
  boundAt: Millis,
  boundBy: z.string(),
});
export type Binding = z.infer<typeof BindingSchema>;

/**
 * A native topic or Discord thread the bot opened for a thread inside a container
 * (forum group, text channel); keyed `<containerConversation>|<slug>`. Telegram has
 * no API to list topics, so this is the only memory of them.
 */
export const NativeThreadSchema = z.object({
  conversation: z.string(),
  createdAt: Millis,
});
export type NativeThread = z.infer<typeof NativeThreadSchema>;

/** What kind of file a person sent, as the gateway's chat.send attachments name it. */
export const AttachmentKindSchema = z.enum(["image", "file"]);
export type AttachmentKind = z.infer<typeof AttachmentKindSchema>;

/**
 * A file that came with a message, kept on disk beside the store (the blob store) until its turn
 * ends, so a turn sent again after a restart still carries it.
 */
export const AttachmentRefSchema = z.object({
  kind: AttachmentKindSchema,
  /** The name the person's file had (or one made from its type). */
  fileName: z.string(),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
  /** Where the blob store keeps the bytes (an opaque id). */
  blob: z.string(),
});
export type AttachmentRef = z.infer<typeof AttachmentRefSchema>;

/** A turn in flight, written before chat.send so a crash can always be reconciled. */
export const JournalEntrySchema = z.object({
  /** Fresh UUID, also the idempotencyKey sent to OpenClaw. */
  turnId: z.string(),
  slug: z.string(),
  sessionKey: z.string(),
  conversation: z.string(),
  senderId: z.string(),
  text: z.string(),
  /** `message` for a person's message, `resume` for a continuation the bot sent. */
  kind: z.enum(["message", "resume"]),
  createdAt: Millis,
  /** Order of arrival, for per-thread ordering and inbox draining. */
  seq: z.number().int().nonnegative(),
  /** The gateway boot the turn was sent on; absent while not yet sent (queued). */
  sentBootId: z.string().optional(),
  sentAt: Millis.optional(),
  /** The bot's streamed reply message, so a restarted bot can finish it in place. */
  replyMessageId: z.string().optional(),
  /** The turn's progress line, so a restarted bot folds that one into its summary instead of leaving it. */
  progressMessageId: z.string().optional(),
  /** Files sent with the text, in order; never sent without them. */
  attachments: z.array(AttachmentRefSchema).optional(),
});
export type JournalEntry = z.infer<typeof JournalEntrySchema>;

/** The last tool call of a turn: name and arguments, never its result. */
export const ToolCallSchema = z.object({
  name: z.string(),
  args: z.unknown().optional(),
  at: Millis,
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

/** Per-thread checkpoint, updated at each tool event and at the end of each turn. */
export const CheckpointSchema = z.object({
  sessionKey: z.string(),
  task: z.string(),
  turnId: z.string(),
  lastToolCall: ToolCallSchema.optional(),
  /** Tool calls of the current turn, so a notice can list what may have run twice. */
  toolCalls: z.array(ToolCallSchema).default([]),
  updatedAt: Millis,
  status: z.enum(["running", "done", "failed", "interrupted", "aborted"]),
  nextAction: z.string().optional(),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

/** A button the bot posted: what pressing it does, and whether it was used. */
export const NoticeSchema = z.object({
  id: z.string(),
  kind: z.enum(["resume", "stop", "recover"]),
  slug: z.string(),
  turnId: z.string(),
  conversation: z.string(),
  bootId: z.string().optional(),
  createdAt: Millis,
  state: z.enum(["open", "used", "void"]),
  /** Platform message id once delivered; a reply to it resumes with the reply's text. */
  messageId: z.string().optional(),
  /** Run OpenClaw is continuing on its own (for Stop). */
  runId: z.string().optional(),
});
export type Notice = z.infer<typeof NoticeSchema>;

/**
 * An approval OpenClaw asked for in a thread's session, as shown in a conversation; keyed by the
 * gateway's approval id. The gateway's registry is the truth about its decision: this record only
 * remembers where the bot showed it and who may answer, so a restarted bot re-attaches it once.
 */
export const ApprovalSchema = z.object({
  id: z.string(),
  slug: z.string(),
  conversation: z.string(),
  /** The person whose turn asked for it (may answer besides admins). */
  requester: z.string().optional(),
  /** The message with the buttons, once posted. */
  messageId: z.string().optional(),
  /** A short id for the buttons (fits Telegram's 64-byte callback data). */
  buttonId: z.string(),
  /** The request as shown, so a decision can be added under it after a restart. */
  text: z.string(),
  /** The decisions OpenClaw offered. */
  allowed: z.array(z.enum(["allow-once", "allow-always", "deny"])),
  createdAt: Millis,
  expiresAt: Millis.optional(),
  state: z.enum(["pending", "allow-once", "allow-always", "deny", "expired", "cancelled"]),
  decidedBy: z.string().optional(),
});
export type Approval = z.infer<typeof ApprovalSchema>;

/** An outgoing message that must be delivered exactly once (notices); retried until sent. */
export const OutboxItemSchema = z.object({
  id: z.string(),
  conversation: z.string(),
  text: z.string(),
  buttons: z.array(z.object({ label: z.string(), data: z.string() })).default([]),
  noticeId: z.string().optional(),
  createdAt: Millis,
  seq: z.number().int().nonnegative(),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: Millis,
  lastError: z.string().optional(),
});
export type OutboxItem = z.infer<typeof OutboxItemSchema>;

/**
 * A name that still reaches a thread after /thread rename (or the new name, when its slug differs
 * from the thread's, which never changes); keyed by the name's slug.
 */
export const AliasSchema = z.object({
  slug: z.string(),
  createdAt: Millis,
});
export type Alias = z.infer<typeof AliasSchema>;

/**
 * A question /thread reset or /thread delete asked, answered by a button only the asker may press;
 * kept in the store so a press after a bot restart still works (or says it expired), and claimed
 * (`acting`) before the gateway is asked, so two presses act once.
 */
export const ConfirmationSchema = z.object({
  id: z.string(),
  kind: z.enum(["reset", "delete"]),
  slug: z.string(),
  sessionKey: z.string(),
  conversation: z.string(),
  askedBy: z.string(),
  /**
   * Set when a chat's or server's administrator (not ADMIN_USERS) asked to delete: the thread may go
   * only while every binding of it is inside that chat or server.
   */
  space: z.string().optional(),
  createdAt: Millis,
  expiresAt: Millis,
  state: z.enum(["open", "acting", "done", "cancelled", "failed"]),
});
export type Confirmation = z.infer<typeof ConfirmationSchema>;

/**
 * A Telegram update that reached the webhook (keyed by its update_id): the raw update while it waits
 * for its handler, then only a tombstone (`doneAt`) so a redelivery is recognised, pruned after a day.
 * The update is checked only for its id here; the Telegram channel owns its shape.
 */
export const TelegramUpdateRecordSchema = z.object({
  update: z.looseObject({ update_id: z.number().int().nonnegative() }).optional(),
  receivedAt: Millis,
  doneAt: Millis.optional(),
});
export type TelegramUpdateRecord = z.infer<typeof TelegramUpdateRecordSchema>;

/** The whole durable state (version 1). */
export const StoreStateSchema = z.object({
  version: z.literal(1),
  /** The last gateway bootId the bot saw. */
  gatewayBootId: z.string().optional(),
  /** Monotonic counter for journal/outbox ordering. */
  seq: z.number().int().nonnegative(),
  threads: z.record(z.string(), ThreadSchema),
  bindings: z.record(z.string(), BindingSchema),
  nativeThreads: z.record(z.string(), NativeThreadSchema),
  journal: z.record(z.string(), JournalEntrySchema),
  checkpoints: z.record(z.string(), CheckpointSchema),
  notices: z.record(z.string(), NoticeSchema),
  outbox: z.record(z.string(), OutboxItemSchema),
  /** Approvals shown in conversations (added without a version bump: absent means none). */
  approvals: z.record(z.string(), ApprovalSchema).default({}),
  /** Old (and new) names of renamed threads (added without a version bump: absent means none). */
  aliases: z.record(z.string(), AliasSchema).default({}),
  /** Reset and delete questions waiting for their button (absent means none). */
  confirmations: z.record(z.string(), ConfirmationSchema).default({}),
  /** Telegram webhook updates, pending and recently done (absent means none: long polling keeps none). */
  telegramUpdates: z.record(z.string(), TelegramUpdateRecordSchema).default({}),
});
export type StoreState = z.infer<typeof StoreStateSchema>;

/** An empty state for a new store file. */
export function emptyState(): StoreState {
  return {
    version: 1,
    seq: 0,
    threads: {},
    bindings: {},
    nativeThreads: {},
    journal: {},
    checkpoints: {},
    notices: {},
    outbox: {},
    approvals: {},
    aliases: {},
    confirmations: {},
    telegramUpdates: {},
  };
}
