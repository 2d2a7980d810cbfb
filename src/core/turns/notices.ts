import { randomBytes } from "node:crypto";
import type { Checkpoint, JournalEntry, Notice, Thread, ThreadPolicy } from "../model.ts";
import type { Button } from "../ports.ts";
import { truncate } from "../text/truncate.ts";

/** Button data prefix; anything else is not ours. */
const PREFIX = "tk";
const ACTION = /^tk:(resume|stop|recover|page):([A-Za-z0-9_-]{1,40})(?::(.{0,40}))?$/s;

/** A parsed button action. */
export type Action =
  | { kind: "resume" | "stop" | "recover"; noticeId: string }
  | { kind: "page"; page: number; filter: string };

/** A short random id for notices (fits Telegram's 64-byte callback data with room to spare). */
export function newNoticeId(): string {
  return randomBytes(8).toString("base64url");
}

/** Button data for a notice action. */
export function noticeButton(kind: Notice["kind"], noticeId: string): Button {
  const label = kind === "resume" ? "Resume" : kind === "stop" ? "Stop" : "Recover";
  return { label, data: `${PREFIX}:${kind}:${noticeId}` };
}

/** Button data for a /threads page. */
export function pageButton(label: string, page: number, filter: string): Button {
  return { label, data: `${PREFIX}:page:${page}:${filter.slice(0, 40)}` };
}

/** Parses button data; undefined for garbage or foreign data. */
export function parseAction(data: string): Action | undefined {
  const match = ACTION.exec(data);
  if (!match?.[1] || !match[2]) return undefined;
  if (match[1] !== "page") return { kind: match[1] as "resume" | "stop" | "recover", noticeId: match[2] };
  const page = Number.parseInt(match[2], 10);
  return Number.isSafeInteger(page) && page >= 0 ? { kind: "page", page, filter: match[3] ?? "" } : undefined;
}

/** One line describing a tool call: name and shortened arguments. */
export function describeToolCall(call: { name: string; args?: unknown }, maxArgUnits = 120): string {
  const args = call.args === undefined ? "" : JSON.stringify(call.args);
  return `${call.name}(${truncate(args, maxArgUnits, "…")})`;
}

/** The text of an interruption notice (ARCHITECTURE.md §6): thread, task, last step, what may have run twice. */
export function noticeText(options: {
  thread: Thread;
  entry: JournalEntry;
  checkpoint: Checkpoint | undefined;
  kind: Notice["kind"];
  /** The policy the thread's crash-cut turns follow. */
  policy: ThreadPolicy;
}): string {
  const { thread, entry, checkpoint, kind, policy } = options;
  const lines = [`⚠️ A restart interrupted a turn of thread "${thread.name}".`, `Task: ${shorten(entry.text, 300)}`];
  const sameTurn = checkpoint?.turnId === entry.turnId ? checkpoint : undefined;
  if (sameTurn?.lastToolCall) lines.push(`Last step: ${describeToolCall(sameTurn.lastToolCall)}`);
  else lines.push("Last step: none recorded (the agent had not called a tool).");
  const twice = sameTurn?.toolCalls ?? [];
  if (twice.length > 0) lines.push(`May run again on continuing: ${twice.map((c) => c.name).join(", ")}`);
  lines.push(policyLine(policy, kind));
  if (kind === "resume")
    lines.push("Press Resume, send /resume, or reply to this message with an instruction to continue.");
  if (kind === "stop")
    lines.push("OpenClaw is continuing the turn by itself; its answer will follow here. Press Stop to abort it.");
  if (kind === "recover") {
    lines.push("OpenClaw gave up recovering this session. Press Recover (or /resume) to continue it in a new session.");
  }
  return lines.join("\n");
}

/** The message a resume sends to the agent. */
export function resumePrompt(options: {
  task: string;
  checkpoint: Checkpoint | undefined;
  instruction?: string | undefined;
}): string {
  // The agent decides whether to run its last step again: it gets the arguments whole (within reason).
  const last = options.checkpoint?.lastToolCall;
  const step = last ? describeToolCall(last, 4_000) : "none recorded";
  const lines = [
    "Your previous turn was interrupted by a restart before it finished.",
    `The task was: ${options.task}`,
    `Your last recorded step was: ${step}.`,
    "Check what already happened before repeating any action, then continue the task.",
  ];
  if (options.instruction?.trim()) lines.push(`The person adds: ${options.instruction.trim()}`);
  return lines.join("\n");
}

function shorten(text: string, max: number): string {
  return truncate(text, max, "…");
}

/** Which resume policy applies, in the words of the notice. */
function policyLine(policy: ThreadPolicy, kind: Notice["kind"]): string {
  if (policy === "confirm") return "Resume policy: confirm — nothing continues until you say so.";
  return kind === "stop"
    ? "Resume policy: auto — OpenClaw continues a turn a crash cut short by itself."
    : "Resume policy: auto — OpenClaw's own continuation did not finish this turn, so it waits for you.";
}

/** How long a used or void notice is remembered: its button then answers as any old button does. */
export const KEEP_SETTLED_NOTICE_MS = 7 * 86_400_000;

/**
 * Notices settled a week ago, which no undelivered outbox item names, as a patch that forgets them:
 * so the notices kept (read whole at start) grow with a week's interruptions, not with history.
 */
export function oldNoticesPatch(
  state: { notices: Record<string, Notice>; outbox: Record<string, { noticeId?: string | undefined }> },
  now: number,
): Record<string, null> | undefined {
  const named = new Set(Object.values(state.outbox).flatMap((item) => item.noticeId ?? []));
  const old = Object.values(state.notices).filter(
    (n) => n.state !== "open" && n.createdAt < now - KEEP_SETTLED_NOTICE_MS && !named.has(n.id),
  );
  return old.length > 0 ? Object.fromEntries(old.map((n) => [n.id, null])) : undefined;
}
