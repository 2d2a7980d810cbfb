import type { AgentMedia, HistoryMessage } from "../ports.ts";

const SYSTEM_PROMPT = /^\s*(?:\[[^\]]*\]\s*)?\[System\]/;

/** True for rows OpenClaw wrote in the person's place (its `[System] …` prompts). */
export function isSystemRow(message: HistoryMessage): boolean {
  return message.senderIsOwner === false || SYSTEM_PROMPT.test(message.text);
}

/** The answer to one turn as found in the transcript. */
export interface TranscriptAnswer {
  /** Our user row (`<turnId>:user`) is in the transcript: the gateway admitted the turn. */
  admitted: boolean;
  /** Assistant text after our user row, up to the next row the person sent; empty if none yet. */
  text: string;
  /** A later row the person sent follows: this turn is over, whatever the session does now. */
  complete: boolean;
  /** The last assistant row is an error row (the run failed before producing a reply). */
  failed: boolean;
  /** Files the answer carries, in order. */
  media: AgentMedia[];
  /** The answer still has raw `MEDIA:` lines: OpenClaw has not yet turned them into files. */
  mediaPending: boolean;
}

// A standalone `MEDIA:<path>` line: OpenClaw turns it into a file part shortly after the run ends.
const MEDIA_LINE = /^[ \t]*MEDIA:[ \t]*\S.*$/gm;

/**
 * Finds the answer to turn `turnId`: the assistant rows after its user row (by seq) up to the next
 * user row the person sent, whatever their run id — recovered turns and messages queued behind a
 * recovery are answered under run ids the bot never issued.
 */
export function answerInTranscript(messages: readonly HistoryMessage[], turnId: string): TranscriptAnswer {
  const rows = [...messages].sort((a, b) => a.seq - b.seq);
  const start = rows.findIndex((m) => m.role === "user" && m.idempotencyKey === `${turnId}:user`);
  if (start < 0) return { admitted: false, text: "", complete: false, failed: false, media: [], mediaPending: false };
  const parts: string[] = [];
  const media: AgentMedia[] = [];
  let mediaPending = false;
  let failed = false;
  let complete = false;
  for (const row of rows.slice(start + 1)) {
    if (row.role === "user" && !isSystemRow(row)) {
      complete = true;
      break;
    }
    if (row.role !== "assistant") continue;
    media.push(...(row.media ?? []));
    const text = row.text.replace(MEDIA_LINE, "").trim();
    mediaPending ||= text !== row.text.trim();
    if (text.length === 0) continue;
    parts.push(text);
    failed = row.stopReason === "error";
  }
  return { admitted: true, text: parts.join("\n\n"), complete, failed, media, mediaPending };
}
