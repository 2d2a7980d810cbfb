import type { ReadOptions } from "./model-usage-port.ts";
/**
 * What the recap, search and export commands need of the OpenClaw gateway (issue 13, slice h4).
 * GatewayPort extends it; src/gateway/recap-export.ts implements it.
 * @module
 */

/** OpenClaw's activity summary (recap) of a session, as sessions.activitySummary.ensure reports it. */
export interface ActivitySummary {
  /** current / stale / updating (generation queued or running) / unavailable (no utility model, or refused). */
  state: "current" | "stale" | "updating" | "unavailable";
  /** The recap (at most 450 characters as OpenClaw writes it); absent until one was generated. */
  text?: string | undefined;
  updatedAt?: number | undefined;
}

/** One transcript row of chat.history as an export reads it; `raw` is the row exactly as the gateway sent it. */
export interface TranscriptRow {
  /** user, assistant, toolResult, … as OpenClaw names it. */
  role: string;
  /** The row's parts in order: text, tool calls (name and arguments), anything else by its type. */
  parts: TranscriptPart[];
  /** Set on toolResult rows. */
  toolName?: string | undefined;
  isError?: boolean | undefined;
  timestamp?: number | undefined;
  seq?: number | undefined;
  /** False on rows OpenClaw wrote itself (its `[System]` prompts). */
  senderIsOwner?: boolean | undefined;
  raw: unknown;
}

/** A part of a transcript row. */
export type TranscriptPart =
  | { kind: "text"; text: string }
  | { kind: "tool-call"; name: string; arguments: unknown }
  | { kind: "other"; type: string };

/** One page of chat.history, newest rows last; pages are walked from the newest back with `nextOffset`. */
export interface HistoryPage {
  rows: TranscriptRow[];
  /** The `offset` of the next (older) page; absent when there is none. */
  nextOffset?: number | undefined;
  totalMessages?: number | undefined;
}

/** The gateway methods behind recaps and transcript export. */
export interface RecapExportGatewayPort {
  /**
   * sessions.activitySummary.ensure for 1–20 sessions: answers at once with what OpenClaw has cached
   * and queues generation (by the agent's utility model) in the background. Keyed by the canonical key.
   */
  ensureActivitySummaries(keys: readonly string[], options?: ReadOptions): Promise<Map<string, ActivitySummary>>;
  /** chat.history page: `limit` rows (1–1000) ending `offset` rows before the newest. */
  historyPage(params: { sessionKey: string; limit: number; offset?: number | undefined }): Promise<HistoryPage>;
}
