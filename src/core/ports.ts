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

/** What an entry point is about to read: conversations, thread names (slugs or aliases), session keys. */
export interface StoreWant {
  conversations?: readonly string[] | undefined;
  /** Slugs, or names a rename left behind (the alias table); slugified already. */
  names?: readonly string[] | undefined;
  sessionKeys?: readonly string[] | undefined;
}

/** A listing's search: a lower-case fragment of slug or name ("" for all), and how many at most. */
export interface ThreadQuery {
  contains: string;
  limit: number;
}

/** The bot's durable state: one in-memory tree, changed only through merges. */
export interface StorePort {
  /** The current state (read-only view; never mutate it). */
  readonly state: Readonly<StoreState>;
  /**
   * Applies a merge patch in memory at once (so later reads see it) and resolves
   * when it has reached the disk. Concurrent patches are serialized and coalesced.
   */
  update(patch: MergePatch<StoreState>): Promise<void>;
  /**
   * Makes what `want` names readable from `state`, with everything of each thread it reaches (its
   * bindings, native threads, aliases and checkpoint). A store that keeps everything in memory (the JSON
   * file) has nothing to do; the Postgres store reads only what a person or event touches, by index, so
   * the core calls this at each entry point before it reads threads or bindings (ARCHITECTURE §10).
   */
  load(want: StoreWant): Promise<void>;
  /** Slugs of threads whose slug or name contains `query.contains`, most recently active first, loaded. */
  findThreads(query: ThreadQuery): Promise<string[]>;
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

// The gateway port and what travels through it live in gateway-port.ts (it is the largest port).
export type * from "./gateway-port.ts";

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

/**
 * A file's bytes as a stream of known size, so a file need not be whole in memory to be sent. It can
 * be read again from the start: a send refused with 429 uploads the whole file once more.
 */
export interface FileContent {
  /** The exact number of bytes `open()` yields. */
  readonly size: number;
  /** Reads the bytes from the start, in order; every call is a fresh read. */
  open(): AsyncIterable<Uint8Array>;
}

/** A file shown natively in a conversation (a photo, a document): one the agent sent, or an export. */
export interface OutgoingFile {
  /** `image` is shown as a picture where the platform can; anything else as a document. */
  kind: "image" | "file";
  fileName: string;
  mimeType: string;
  /** The file's bytes (at most the channel's maxFileBytes). */
  content: FileContent;
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
  /**
   * Renames a native topic or thread the bot opened (Telegram forum topic, Discord thread), cut to the
   * platform's length; a topic that is gone is not an error. Optional capability (the console has none).
   */
  renameThread?(conversation: string, name: string): Promise<void>;
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
