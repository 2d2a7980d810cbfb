/**
 * Helpers of the "confirm costs:" e2e files (issue 15): threads opened through the in-process bot, which session
 * a model request belongs to, what a tool returned to the model, and session rows as the gateway lists them.
 */
import type { ModelRequest } from "../harness/fake-model.ts";
import type { Gateway } from "../harness/gateway.ts";
import type { InProcessBot } from "./in-process-bot.ts";

/** The bot's per-agent root session, parent of every confirm thread (ARCHITECTURE.md §6). */
export const ROOT_KEY = "agent:main:threadkeeper:root";

/** A thread opened through the bot, each in a conversation of its own. */
export interface OpenedThread {
  name: string;
  slug: string;
  conversation: string;
  sessionKey: string;
}

/** `/thread <prefix>-<i>` for i in 1..n, each in `console:<prefix>-<i>`; fails unless each was created. */
export async function openThreads(bot: InProcessBot, prefix: string, n: number): Promise<OpenedThread[]> {
  const opened: OpenedThread[] = [];
  for (let i = 1; i <= n; i++) {
    const name = `${prefix}-${i}`;
    const conversation = `console:${name}`;
    const reply = await bot.command(conversation, "thread", name);
    if (!reply?.text.includes("Created thread")) throw new Error(`/thread ${name} answered: ${reply?.text}`);
    opened.push({ name, slug: name, conversation, sessionKey: `agent:main:named:${name}` });
  }
  return opened;
}

/** The texts the bot showed in a conversation, in order. */
export function shown(bot: InProcessBot, conversation: string): string[] {
  return bot.channel.in(conversation).map((m) => m.text);
}

/** The session a model request was made for, from OpenClaw's `Runtime: … | session=<key> | …` line. */
export function requestSession(request: ModelRequest): string | undefined {
  for (const m of request.messages) {
    const match = /\| session=(agent:[^\s|]+) \|/.exec(m.text);
    if (match) return match[1];
  }
  return undefined;
}

/** What one tool call gave back to the model, as the follow-up request carries it. */
export interface ToolResult {
  /** The tool that ran (through `tool_call`, the tool it called). */
  name: string;
  /** The tool's structured result (`result.details`), when it has one. */
  details: Record<string, unknown> | undefined;
  /** The raw text of the tool message. */
  text: string;
}

/** The last tool message of a follow-up request, unwrapped from `tool_call`'s envelope. */
export function lastToolResult(request: ModelRequest): ToolResult {
  const text = request.messages.filter((m) => m.role === "tool").at(-1)?.text ?? "";
  try {
    const parsed = JSON.parse(text) as { tool?: { name?: string }; result?: { details?: Record<string, unknown> } };
    return { name: parsed.tool?.name ?? "", details: parsed.result?.details, text };
  } catch {
    return { name: "", details: undefined, text };
  }
}

/** The tool results a turn's follow-up requests carried, in order (requests after `since`). */
export function toolResultsSince(requests: ModelRequest[], since: number): ToolResult[] {
  return requests.filter((r) => r.seq > since && r.kind === "tool-followup").map(lastToolResult);
}

/** One session row of `sessions.list`, with the fields these tests read. */
export interface SessionRow {
  key: string;
  sessionId?: string;
  label?: string;
  archived?: boolean;
  parentSessionKey?: string;
  spawnDepth?: number;
  spawnedBy?: string;
  hasActiveRun?: boolean;
  childSessions?: string[];
}

/** `sessions.list` over a short-lived raw client. */
export async function sessionRows(gateway: Gateway, params: Record<string, unknown> = {}): Promise<SessionRow[]> {
  const client = await gateway.connect();
  try {
    return (await client.request<{ sessions: SessionRow[] }>("sessions.list", params)).sessions;
  } finally {
    await client.close();
  }
}
