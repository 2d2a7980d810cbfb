import type { Channels } from "../channels.ts";
import { BotError, ErrorCode } from "../errors.ts";
import { bytesContent } from "../file-content.ts";
import type { Thread } from "../model.ts";
import type { BlobStore, ChannelPort, GatewayPort, Logger } from "../ports.ts";
import type { TranscriptRow } from "../recap-export-port.ts";
import { texts } from "../texts.ts";
import { requireGateway } from "./registry.ts";
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

/** One fetched page, kept as a blob until the files are assembled: its rows' byte lengths, in order. */
interface StoredPage {
  blob: string;
  rowBytes: number[];
}

/**
 * `/thread export`: the thread's transcript, read from chat.history page by page, sent as files in the
 * conversation. Pages come newest first; each is rendered at once and written to the blob store, so
 * what stays in memory is one page, then one file being filled (the file is whole in memory once,
 * as the channels' sendFile takes it). A transcript larger than the channel takes is split into
 * numbered parts, each within the channel's limit and each a whole file (rows are never split).
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
      const page = await this.#gateway.historyPage({ sessionKey: thread.sessionKey, limit, offset });
      const fresh = page.rows.filter((row) => row.seq === undefined || row.seq < oldestSeq);
      for (const row of fresh) if (row.seq !== undefined) oldestSeq = Math.min(oldestSeq, row.seq);
      if (fresh.length > 0) {
        const stored = await this.#store(fresh, format, budget);
        pages.push(stored);
        limit = nextLimit(limit, stored.rowBytes);
      }
      // A page's frame, rows and rendering are garbage now; without this they pile up page after page.
      this.#release();
      if (page.nextOffset === undefined || page.nextOffset <= offset) return;
      offset = page.nextOffset;
    }
    this.#logger.warn("export stopped after too many pages", { slug: thread.slug });
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
    const reader = new PageReader(this.#blobs, pages, this.#release);
    const files: string[] = [];
    let bytes = 0;
    for (const [index, rowCount] of plan.entries()) {
      const meta = { name: thread.name, sessionKey: thread.sessionKey, part: index + 1, parts: plan.length };
      const file = await reader.part(rowCount, partFrame(format, meta));
      const fileName = exportFileName(thread.slug, format, index + 1, plan.length);
      await channel.sendFile?.(request.conversation, {
        kind: "file",
        fileName,
        mimeType: format === "json" ? "application/json" : "text/markdown",
        content: bytesContent(file),
      });
      files.push(fileName);
      bytes += file.byteLength;
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

/** Reads the stored pages' rows back in order, byte-exact, into one file at a time. */
class PageReader {
  readonly #blobs: BlobStore;
  readonly #rows: number[];
  readonly #chunks: AsyncIterator<Uint8Array>;
  readonly #release: () => void;
  #chunk: Uint8Array = new Uint8Array(0);
  #at = 0;
  #row = 0;

  constructor(blobs: BlobStore, pages: readonly StoredPage[], release: () => void) {
    this.#blobs = blobs;
    this.#release = release;
    this.#rows = pages.flatMap((p) => p.rowBytes);
    this.#chunks = this.#all(pages)[Symbol.asyncIterator]();
  }

  async *#all(pages: readonly StoredPage[]): AsyncIterable<Uint8Array> {
    for (const page of pages) yield* this.#blobs.read(page.blob);
  }

  /** The next `count` rows framed as one file. */
  async part(count: number, frame: PartFrame): Promise<Uint8Array> {
    const prefix = encoder.encode(frame.prefix);
    const separator = encoder.encode(frame.separator);
    const suffix = encoder.encode(frame.suffix);
    const rows = this.#rows.slice(this.#row, this.#row + count);
    const body = rows.reduce((sum, n) => sum + n, 0) + separator.byteLength * Math.max(0, count - 1);
    const file = new Uint8Array(prefix.byteLength + body + suffix.byteLength);
    file.set(prefix, 0);
    let at = prefix.byteLength;
    for (const [i, length] of rows.entries()) {
      if (i > 0) {
        file.set(separator, at);
        at += separator.byteLength;
      }
      at = await this.#copy(file, at, length);
    }
    file.set(suffix, at);
    this.#row += count;
    return file;
  }

  async #copy(into: Uint8Array, at: number, length: number): Promise<number> {
    let left = length;
    let to = at;
    while (left > 0) {
      if (this.#at >= this.#chunk.byteLength) {
        const next = await this.#chunks.next();
        if (next.done) throw new Error("export page shorter than its rows");
        // The piece read before is copied into the file: collect it now rather than beside the whole file.
        this.#release();
        this.#chunk = next.value;
        this.#at = 0;
      }
      const take = Math.min(left, this.#chunk.byteLength - this.#at);
      into.set(this.#chunk.subarray(this.#at, this.#at + take), to);
      this.#at += take;
      to += take;
      left -= take;
    }
    return to;
  }
}
