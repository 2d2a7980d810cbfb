/**
 * How the fake model reads OpenClaw's chat-completions requests: message text, the real user text inside
 * OpenClaw's wrapping, and which kind of request it is. Facts from docs/openclaw-live-peer.md §3.1–3.2 and
 * docs/openclaw-recovery.md §1.
 */

/** One request message flattened to text, as recorded for assertions. */
export interface TextMessage {
  role: string;
  text: string;
}

/** What the fake model decided a request is. */
export type RequestKind = "turn" | "tool-followup" | "recovery" | "title" | "recap" | "unexpected";

interface RawMessage {
  role?: unknown;
  content?: unknown;
  tool_calls?: { function?: { name?: string; arguments?: string } }[];
  tool_call_id?: unknown;
}

const INTERNAL_CONTEXT = "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT";
/** How OpenClaw 2026.9.6's activity-recap system prompt begins. */
const RECAP_PROMPT = "Write an Activity recap";
const RECOVERY_MARK = "interrupted by a gateway restart";
const TIMESTAMP_PREFIX = /^\[[^\]\n]*UTC\] /;
const QUEUED_PREFIX = /^\[Queued user message[^\]]*\]\n/;

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: { type?: string; text?: unknown }) => (typeof part?.text === "string" ? part.text : ""))
    .join("");
}

/** Flattens OpenAI-style messages to `{role, text}`; tool calls become `[tool_call name(args)]`. */
export function toTextMessages(messages: unknown): TextMessage[] {
  if (!Array.isArray(messages)) return [];
  return messages.map((raw: RawMessage) => {
    const calls = (raw.tool_calls ?? []).map((c) => `[tool_call ${c.function?.name}(${c.function?.arguments ?? ""})]`);
    return { role: String(raw.role), text: [contentText(raw.content), ...calls].filter(Boolean).join("\n") };
  });
}

/** Removes OpenClaw's `[<timestamp> UTC] ` prefix and the `\n\nRuntime: …` block from a user message. */
export function stripWrapping(text: string): string {
  const withoutPrefix = text.replace(TIMESTAMP_PREFIX, "");
  const runtime = withoutPrefix.indexOf("\n\nRuntime: ");
  return (runtime >= 0 ? withoutPrefix.slice(0, runtime) : withoutPrefix).trim();
}

/** The person's text of the current turn: the last user message that is not OpenClaw's internal context. */
export function realUserText(messages: TextMessage[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role !== "user" || m.text.startsWith(INTERNAL_CONTEXT)) continue;
    return stripWrapping(m.text);
  }
  return undefined;
}

/** OpenClaw's instruction appended after a re-queued user text (restart recovery, transient-error retry). */
const CONTINUATION = /\n\n(?:\[System\]|Continue the current task)/;

/** For a recovery prompt or a retried turn: the earlier user text OpenClaw folded in, if any. */
export function interruptedText(userText: string): string | undefined {
  if (!QUEUED_PREFIX.test(userText)) return undefined;
  const rest = userText.replace(QUEUED_PREFIX, "");
  const cut = rest.search(CONTINUATION);
  return (cut >= 0 ? rest.slice(0, cut) : rest).trim();
}

/** The request's last non-internal message, which decides whether it follows up on a tool call. */
function lastMeaningful(messages: TextMessage[]): TextMessage | undefined {
  return messages.filter((m) => !m.text.startsWith(INTERNAL_CONTEXT)).at(-1);
}

/** Decides the request kind from its messages (order matters: recovery prompts embed the original text). */
export function classify(messages: TextMessage[], hasTools: boolean): RequestKind {
  const last = lastMeaningful(messages);
  if (last?.role === "tool") return "tool-followup";
  if (messages.slice(-3).some((m) => m.role === "user" && m.text.includes(RECOVERY_MARK))) return "recovery";
  // OpenClaw's activity recap (sessions.activitySummary) asks the utility model with this system prompt.
  if (!hasTools && messages.some((m) => m.role !== "user" && m.text.startsWith(RECAP_PROMPT))) return "recap";
  const hasSessionLine = messages.some((m) => m.role === "user" && m.text.includes("\n\nRuntime: "));
  const hasHistory = messages.some((m) => m.role === "assistant");
  // Title requests come without tools and without OpenClaw's per-session wrapping.
  if (!hasTools && !hasSessionLine && !hasHistory && messages.some((m) => /title/i.test(m.text))) return "title";
  return realUserText(messages) === undefined ? "unexpected" : "turn";
}

/** The id of the tool call a follow-up request answers. */
export function followedToolCallId(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  const last = (messages as RawMessage[]).filter((m) => m.role === "tool").at(-1);
  return typeof last?.tool_call_id === "string" ? last.tool_call_id : undefined;
}

/** The recap the fake model writes: how many notes it was given and the last one, recognisably. */
export function recapAnswer(messages: TextMessage[]): string {
  const prompt = messages.filter((m) => m.role === "user").at(-1)?.text ?? "";
  try {
    const parsed = JSON.parse(prompt) as { messages?: unknown[] };
    const notes = Array.isArray(parsed.messages) ? parsed.messages.map(String) : [];
    return `RECAP: ${notes.length} notes; last: ${(notes.at(-1) ?? "").slice(0, 80)}`;
  } catch {
    return "RECAP: unreadable prompt";
  }
}
