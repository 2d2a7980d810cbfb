import type { Channels } from "../channels.ts";
import { BotError, ErrorCode } from "../errors.ts";
import type { Thread } from "../model.ts";
import type { BlobStore, ChannelPort, GatewayPort, Logger } from "../ports.ts";
import type { TranscriptRow } from "../recap-export-port.ts";
import { texts } from "../texts.ts";
import { requireGateway } from "./registry.ts";
import { type StoredPage, StoredTranscript } from "./stored-pages.ts";
import { type ExportFormat, type PartFrame, partFrame, renderRow } from "./transcript-render.ts";

/**
 * Rows per chat.history page: OpenClaw takes 1–1000 (and trims a page to its 6 MB budget itself). The
 * count adapts so a page stays near PAGE_BYTES: a frame, its string and its rows then stay young-
 * generation objects a scavenge takes, where a page of large rows would sit in V8's large-object space
 * until a full collection (test/core/export-memory.test.ts).
 */
const PAGE_ROWS = { first: 50, min: 2, max: 500 };
const PAGE_BYTES = 48 * 1024;
/** Room kept in each file for its frame (title, part number); a frame is far smaller. */
const FRAME_RESERVE = 2048;
/** Past this many pages something is wrong (a transcript that grows as fast as it is read). */
const MAX_PAGES = 10_000;

const encoder = new TextEncoder();

/** What an export sent. */
export interface ExportResult {
  rows: number;
  files: string[];
  bytes: number;
}

/**
 * `/thread export`: the thread's transcript, read from chat.history page by page, sent as files in the
 * conversation. Pages come newest first; each is rendered at once and written to the blob store. Each
 * file is then streamed from the stored pages, oldest row first, as the channel sends it (and again if
 * it must send it again). So what is in memory is a page, or a piece of one, never the transcript or
 * a whole file, except where a platform's client takes only whole bytes (Discord, a part at a time).
 * A transcript larger than the channel takes is split into numbered parts, each within the channel's
 * limit and each a whole file (rows are never split).
 */
export class TranscriptExport {
  readonly #gateway: GatewayPort;
  readonly #channels: Channels;
  readonly #blobs: BlobStore;
  readonly #logger: Logger;
  readonly #release: () => void;

  constructor(options: {
    gateway: GatewayPort;
    channels: Channels;
    blobs: BlobStore;
    logger: Logger;
    /** Collects what one page left behind (a young-generation GC where the process allows it). */
    releaseGarbage?: (() => void) | undefined;
  }) {
    this.#release = options.releaseGarbage ?? (() => undefined);
    this.#gateway = options.gateway;
    this.#channels = options.channels;
    this.#blobs = options.blobs;
    this.#logger = options.logger;
  }

  /** Exports `thread` into `conversation`; throws one-line BotErrors (gateway away, nothing to export, no files here). */
  async export(request: { thread: Thread; conversation: string; format: ExportFormat }): Promise<ExportResult> {
    const channel = this.#channels.for(request.conversation);
    if (!channel.sendFile || !channel.maxFileBytes) throw new BotError(ErrorCode.NotImplemented, texts.exportNoFiles);
    requireGateway(this.#gateway);
    const budget = channel.maxFileBytes - FRAME_RESERVE;
    const pages: StoredPage[] = [];
    try {
      await this.#fetch(request.thread, request.format, budget, pages);
      pages.reverse();
      const rows = pages.reduce((n, p) => n + p.rowBytes.length, 0);
      if (rows === 0) throw new BotError(ErrorCode.NothingToDo, texts.exportEmpty(request.thread.name));
      const sent = await this.#send(channel, request, pages, budget);
      return { rows, ...sent };
    } finally {
      await this.#blobs.remove(pages.map((p) => p.blob)).catch((error: unknown) => {
        this.#logger.warn("could not remove export pages", { error: String(error) });
      });
    }
  }

  /**
   * Walks chat.history from the newest page back. Offsets count from the newest row, so rows that
   * arrive meanwhile shift them: a row already taken (by seq) is skipped rather than written twice.
   */
  async #fetch(thread: Thread, format: ExportFormat, budget: number, pages: StoredPage[]): Promise<void> {
    let offset = 0;
    let limit = PAGE_ROWS.first;
    let oldestSeq = Number.POSITIVE_INFINITY;
    for (let n = 0; n < MAX_PAGES; n += 1) {
      const step = await this.#page({ thread, format, budget, limit, offset, oldestSeq });
      if (step.stored) {
        pages.push(step.stored);
        limit = nextLimit(limit, step.stored.rowBytes);
      }
      oldestSeq = step.oldestSeq;
      // The page's frame, rows and rendering are unreachable now (they lived in #page): a young
      // collection takes them here. Collected while still referenced, they would survive it and be
      // moved to the old generation at the next one, to pile up there until a full collection.
      this.#release();
      if (step.nextOffset === undefined || step.nextOffset <= offset) return;
      offset = step.nextOffset;
    }
    this.#logger.warn("export stopped after too many pages", { slug: thread.slug });
  }

  /** Fetches one page and parks its fresh rows; returns only what the walk needs next. */
  async #page(at: {
    thread: Thread;
    format: ExportFormat;
    budget: number;
    limit: number;
    offset: number;
    oldestSeq: number;
  }): Promise<{ stored?: StoredPage | undefined; oldestSeq: number; nextOffset: number | undefined }> {
    const { limit, offset } = at;
    const page = await this.#gateway.historyPage({ sessionKey: at.thread.sessionKey, limit, offset });
    const fresh = page.rows.filter((row) => row.seq === undefined || row.seq < at.oldestSeq);
    let oldestSeq = at.oldestSeq;
    for (const row of fresh) if (row.seq !== undefined) oldestSeq = Math.min(oldestSeq, row.seq);
    const stored = fresh.length > 0 ? await this.#store(fresh, at.format, at.budget) : undefined;
    return { stored, oldestSeq, nextOffset: page.nextOffset };
  }

  async #store(rows: TranscriptRow[], format: ExportFormat, budget: number): Promise<StoredPage> {
    const encoded = rows.map((row) => encoder.encode(renderRow(format, row)).subarray(0, budget));
    const rowBytes = encoded.map((bytes) => bytes.byteLength);
    const { id } = await this.#blobs.write(asyncOf(encoded), Number.MAX_SAFE_INTEGER);
    return { blob: id, rowBytes };
  }

  async #send(
    channel: ChannelPort,
    request: { thread: Thread; conversation: string; format: ExportFormat },
    pages: StoredPage[],
    budget: number,
  ): Promise<{ files: string[]; bytes: number }> {
    const { thread, format } = request;
    const plan = planParts(pages, budget, partFrame(format, { name: thread.name, sessionKey: "", part: 1, parts: 1 }));
    const transcript = new StoredTranscript(this.#blobs, pages, this.#release);
    const mimeType = format === "json" ? "application/json" : "text/markdown";
    const files: string[] = [];
    let bytes = 0;
    let first = 0;
    for (const [index, rowCount] of plan.entries()) {
      const meta = { name: thread.name, sessionKey: thread.sessionKey, part: index + 1, parts: plan.length };
      const fileName = exportFileName(thread.slug, format, index + 1, plan.length);
      const content = transcript.part(first, rowCount, partFrame(format, meta));
      await channel.sendFile?.(request.conversation, { kind: "file", fileName, mimeType, content });
      files.push(fileName);
      bytes += content.size;
      first += rowCount;
    }
    return { files, bytes };
  }
}

/** How many rows go into each file, in order, so that each file's rows fit `budget` bytes. */
export function planParts(pages: readonly StoredPage[], budget: number, frame: PartFrame): number[] {
  const separator = encoder.encode(frame.separator).byteLength;
  const plan: number[] = [];
  let rows = 0;
  let size = 0;
  for (const length of pages.flatMap((p) => p.rowBytes)) {
    const added = length + (rows > 0 ? separator : 0);
    if (rows > 0 && size + added > budget) {
      plan.push(rows);
      rows = 0;
      size = 0;
    }
    size += rows > 0 ? added : length;
    rows += 1;
  }
  if (rows > 0) plan.push(rows);
  return plan;
}

/** The next page's row count, scaled so the page comes out near PAGE_BYTES (rows of a page look alike). */
function nextLimit(limit: number, rowBytes: readonly number[]): number {
  const bytes = rowBytes.reduce((sum, n) => sum + n, 0);
  if (bytes === 0) return PAGE_ROWS.max;
  const scaled = Math.floor((limit * PAGE_BYTES) / bytes);
  return Math.max(PAGE_ROWS.min, Math.min(PAGE_ROWS.max, scaled));
}

/** `thread-<slug>.md`, or `thread-<slug>-part-2-of-3.json` when split. */
export function exportFileName(slug: string, format: ExportFormat, part: number, parts: number): string {
  const extension = format === "json" ? "json" : "md";
  return parts > 1 ? `thread-${slug}-part-${part}-of-${parts}.${extension}` : `thread-${slug}.${extension}`;
}

async function* asyncOf(chunks: readonly Uint8Array[]): AsyncIterable<Uint8Array> {
  yield* chunks;
}
