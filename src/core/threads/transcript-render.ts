import type { TranscriptPart, TranscriptRow } from "../recap-export-port.ts";
import { truncate } from "../text/truncate.ts";

/** What a transcript is exported as. */
export type ExportFormat = "markdown" | "json";

/** How one part of an export file starts, joins its rows and ends. */
export interface PartFrame {
  prefix: string;
  separator: string;
  suffix: string;
}

/** The longest a rendered row may be (a row is never split across two files). */
export const MAX_ROW_UNITS = 1024 * 1024;

/** The frame of part `part` of `parts` of the export of `name`. */
export function partFrame(
  format: ExportFormat,
  meta: { name: string; sessionKey: string; part: number; parts: number },
) {
  const of = meta.parts > 1 ? ` (part ${meta.part} of ${meta.parts})` : "";
  if (format === "json") {
    const head = { thread: meta.name, sessionKey: meta.sessionKey, part: meta.part, parts: meta.parts };
    return { prefix: `${JSON.stringify(head).slice(0, -1)},"rows":[\n`, separator: ",\n", suffix: "\n]}\n" };
  }
  const prefix = [
    `# Transcript of "${meta.name}"${of}`,
    "",
    `Session \`${meta.sessionKey}\`. Secrets appear as OpenClaw masked them. Tool calls and results are folded.`,
    "",
    "",
  ].join("\n");
  return { prefix, separator: "", suffix: "" };
}

/** One row as it goes into the file: the gateway's own row (JSON), or a Markdown section. */
export function renderRow(format: ExportFormat, row: TranscriptRow): string {
  const text = format === "json" ? JSON.stringify(row.raw) : markdownRow(row);
  return truncate(text, MAX_ROW_UNITS, format === "json" ? "" : "\n\n(cut: this row is too long)\n\n");
}

function markdownRow(row: TranscriptRow): string {
  const at = row.timestamp ? ` · ${new Date(row.timestamp).toISOString().replace("T", " ").slice(0, 19)} UTC` : "";
  if (row.role === "toolResult" || row.role === "tool") {
    const title = `Tool result${row.toolName ? `: ${row.toolName}` : ""}${row.isError ? " (error)" : ""}`;
    return folded(title + at, fenced(plainText(row.parts), ""));
  }
  const body = row.parts.map(partMarkdown).filter(Boolean).join("\n\n");
  return `### ${who(row)}${at}\n\n${body || "_(no text)_"}\n\n`;
}

function who(row: TranscriptRow): string {
  if (row.role === "user") return row.senderIsOwner === false ? "OpenClaw (not written by the person)" : "Person";
  if (row.role === "assistant") return "Agent";
  return row.role;
}

function partMarkdown(part: TranscriptPart): string {
  if (part.kind === "text") return part.text;
  if (part.kind === "tool-call") {
    return folded(`Tool call: ${part.name}`, fenced(JSON.stringify(part.arguments ?? {}, null, 2), "json")).trimEnd();
  }
  return `_[${part.type}]_`;
}

function plainText(parts: readonly TranscriptPart[]): string {
  return parts.map((p) => (p.kind === "text" ? p.text : p.kind === "other" ? `[${p.type}]` : "")).join("\n");
}

/** A collapsed section (GitHub and most Markdown viewers fold `<details>`). */
function folded(summary: string, body: string): string {
  return `<details><summary>${escapeHtml(summary)}</summary>\n\n${body}\n\n</details>\n\n`;
}

/** A code block whose fence is longer than any run of backticks inside, so the text cannot close it. */
function fenced(text: string, language: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text}\n${fence}`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
