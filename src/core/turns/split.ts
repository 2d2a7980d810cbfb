import { truncate } from "../text/truncate.ts";
/**
 * Splits text into chunks of at most `limit` UTF-16 units for a platform's message limit:
 * at a line break when one is in the second half of the window, else at a space, else hard —
 * never between the halves of a surrogate pair. A Markdown code fence open at a cut is closed
 * at the end of the chunk and reopened (with its language) at the start of the next, so no
 * chunk shows a block split open. The one separator character at a cut is dropped.
 */
export function splitMessage(text: string, limit: number): string[] {
  if (limit < 16) throw new RangeError("limit too small to split");
  const chunks: string[] = [];
  let rest = text;
  let fence: Fence | undefined;
  for (;;) {
    const body = fence === undefined ? rest : `${fence.line}\n${rest}`;
    if (body.length <= limit) {
      chunks.push(body);
      return chunks;
    }
    const minCut = fence === undefined ? 1 : fence.line.length + 2;
    // Room for a closing fence, in case the cut lands inside a code block.
    const cut = findCut(body, limit - 4, minCut);
    const piece = body.slice(0, cut);
    fence = openFenceAt(piece);
    chunks.push(fence === undefined ? piece : `${piece}${piece.endsWith("\n") ? "" : "\n"}${fence.marker}`);
    const separator = body[cut];
    rest = body.slice(separator === "\n" || separator === " " ? cut + 1 : cut);
  }
}

/** Index at which to cut `body` so the head is at most `budget` units and ends at a good place. */
function findCut(body: string, budget: number, minCut: number): number {
  const half = Math.max(minCut, Math.floor(budget / 2));
  const newline = body.lastIndexOf("\n", budget);
  if (newline >= half) return newline;
  const space = body.lastIndexOf(" ", budget);
  if (space >= half) return space;
  // Never strand the low half of a surrogate pair in the next chunk.
  return truncate(body, budget).length;
}

const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** An open code fence: its marker (``` or ~~~) and its opening line (e.g. "```ts"). */
interface Fence {
  marker: string;
  line: string;
}

/** The open fence if `text` ends inside a fenced code block. */
function openFenceAt(text: string): Fence | undefined {
  let open: Fence | undefined;
  for (const line of text.split("\n")) {
    const match = FENCE_LINE.exec(line);
    if (!match?.[1]) continue;
    if (open === undefined) open = { marker: match[1], line: line.trim() };
    else if (match[1].startsWith(open.marker) && (match[2] ?? "").trim() === "") open = undefined;
  }
  return open;
}
