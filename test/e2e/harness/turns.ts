/** Turn helpers over the raw client: send with `chat.send`, wait for the run's terminal `chat` event. */
import { randomUUID } from "node:crypto";
import type { GatewayEvent } from "./frames.ts";
import type { RawClient } from "./raw-client.ts";

/** The `chat` states that end a run. */
export const TERMINAL_CHAT_STATES = ["final", "error", "aborted"];

/** The text of a `chat` event's cumulative assistant message. */
export function chatText(payload: Record<string, unknown>): string {
  const content = (payload.message as { content?: unknown } | undefined)?.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((p: { text?: unknown }) => (typeof p?.text === "string" ? p.text : "")).join("");
}

/** True for the terminal `chat` event of `runId`. */
export function isChatEnd(runId: string): (e: GatewayEvent) => boolean {
  return (e) =>
    e.event === "chat" && e.payload.runId === runId && TERMINAL_CHAT_STATES.includes(String(e.payload.state));
}

/** What one turn produced. */
export interface TurnResult {
  runId: string;
  /** The terminal `chat` event's payload. */
  end: Record<string, unknown>;
  state: string;
  text: string;
  /** Index in `client.events` where this turn's events start. */
  since: number;
}

/** `chat.send {deliver:false}` with a fresh idempotency key, then the run's terminal `chat` event. */
export async function sendTurn(
  client: RawClient,
  sessionKey: string,
  message: string,
  timeoutMs = 60_000,
): Promise<TurnResult> {
  const since = client.mark();
  const ack = await client.request<{ runId: string; status: string }>("chat.send", {
    sessionKey,
    message,
    idempotencyKey: randomUUID(),
    deliver: false,
  });
  const end = await client.waitForEvent(isChatEnd(ack.runId), timeoutMs, since);
  return { runId: ack.runId, end: end.payload, state: String(end.payload.state), text: chatText(end.payload), since };
}

/** A transcript row of `chat.history`, with the fields tests look at. */
export interface HistoryRow {
  role: string;
  content: unknown;
  stopReason?: string;
  __openclaw?: { id?: string; seq?: number; runId?: string; idempotencyKey?: string; senderIsOwner?: boolean };
}

/** The text of a history row (string content or text parts). */
export function rowText(row: HistoryRow): string {
  if (typeof row.content === "string") return row.content;
  if (!Array.isArray(row.content)) return "";
  return row.content.map((p: { text?: unknown }) => (typeof p?.text === "string" ? p.text : "")).join("");
}

/** `chat.history` for a key, typed enough for assertions. */
export async function history(
  client: RawClient,
  sessionKey: string,
): Promise<{
  sessionId: string;
  messages: HistoryRow[];
  sessionInfo: Record<string, unknown>;
  raw: Record<string, unknown>;
}> {
  const raw = await client.request("chat.history", { sessionKey, limit: 100 });
  return {
    sessionId: String(raw.sessionId),
    messages: (raw.messages ?? []) as HistoryRow[],
    sessionInfo: (raw.sessionInfo ?? {}) as Record<string, unknown>,
    raw,
  };
}
