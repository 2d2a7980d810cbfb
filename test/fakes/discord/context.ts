import type { FakeGateway } from "./gateway.ts";
import type { World } from "./world.ts";

/** What an edit changes, on any kind of message. */
export interface Editable {
  content: string;
  components: unknown[];
  edits: string[];
}

/** A message an interaction produced: its original response or a followup. */
export interface InteractionMessage {
  id: string;
  content: string;
  flags: number;
  components: unknown[];
  /** Earlier contents, oldest first. */
  edits: string[];
  deleted: boolean;
}

/** One interaction the fake dispatched, and everything the bot answered to it. */
export interface InteractionRecord {
  id: string;
  token: string;
  type: number;
  channelId: string;
  userId: string;
  createdAt: number;
  /** Interaction callback bodies, in order (`type` 4 reply, 5 defer, 6/7 component, 8 choices). */
  callbacks: { type: number; data?: Record<string, unknown> }[];
  /** The original response (type 4, or the deferred "thinking" message of type 5). */
  original?: InteractionMessage;
  /** True while a deferred original has not been filled in yet. */
  pendingDefer: boolean;
  followups: InteractionMessage[];
  /** Autocomplete choices, when answered with type 8. */
  choices?: { name: string; value: string }[];
  /** For component interactions: the message whose button was pressed, and that message. */
  messageId?: string;
  carrier?: Editable;
}

/** Slash commands the bot registered (PUT bodies), globally and per guild. */
export interface RegisteredCommands {
  global: Record<string, unknown>[] | undefined;
  guilds: Map<string, Record<string, unknown>[]>;
}

/** What every REST route module needs. */
export interface FakeContext {
  world: World;
  gateway: FakeGateway;
  token: string;
  /** http://127.0.0.1:<port> */
  origin(): string;
  commands: RegisteredCommands;
  interactions: Map<string, InteractionRecord>;
  /** Discord's 3 s to acknowledge an interaction. */
  interactionDeadlineMs: number;
  /** Discord's 15 min of interaction token (webhook) validity. */
  tokenTtlMs: number;
  now(): number;
}
