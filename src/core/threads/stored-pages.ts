import type { BlobStore, FileContent } from "../ports.ts";
import type { PartFrame } from "./transcript-render.ts";

const encoder = new TextEncoder();

/** One fetched page, kept as a blob until the files are sent: its rows' byte lengths, in order. */
export interface StoredPage {
  blob: string;
  rowBytes: number[];
}

/**
 * The transcript as parked pages (oldest first), from which each file is read as it is sent: the
 * content of a part is its frame around its rows, streamed from the page blobs every time it is
 * opened. No file is ever whole in memory, and none is written to disk a second time.
 */
export class StoredTranscript {
  readonly #blobs: BlobStore;
  readonly #pages: readonly StoredPage[];
  readonly #release: () => void;
  /** Row index where each page starts, and one past the last row. */
  readonly #firstRows: number[] = [0];

  constructor(blobs: BlobStore, pages: readonly StoredPage[], release: () => void) {
    this.#blobs = blobs;
    this.#pages = pages;
    this.#release = release;
    for (const page of pages) this.#firstRows.push((this.#firstRows.at(-1) ?? 0) + page.rowBytes.length);
  }

  /** The file of rows `first` to `first + count - 1` (counted over all pages), framed by `frame`. */
  part(first: number, count: number, frame: PartFrame): FileContent {
    const framing = {
      prefix: encoder.encode(frame.prefix),
      separator: encoder.encode(frame.separator),
      suffix: encoder.encode(frame.suffix),
    };
    const lengths = this.#pages.flatMap((p) => p.rowBytes).slice(first, first + count);
    const rows = lengths.reduce((sum, n) => sum + n, 0);
    const separators = framing.separator.byteLength * Math.max(0, lengths.length - 1);
    const size = framing.prefix.byteLength + rows + separators + framing.suffix.byteLength;
    return { size, open: () => this.#read(first, lengths, framing) };
  }

  async *#read(
    first: number,
    lengths: readonly number[],
    framing: { prefix: Uint8Array; separator: Uint8Array; suffix: Uint8Array },
  ): AsyncIterable<Uint8Array> {
    yield framing.prefix;
    const page = this.#firstRows.findLastIndex((row) => row <= first);
    const cursor = new ByteCursor(this.#pagesFrom(page), this.#release);
    try {
      const before = this.#pages[page]?.rowBytes.slice(0, first - (this.#firstRows[page] ?? 0)) ?? [];
      await cursor.skip(before.reduce((sum, n) => sum + n, 0));
      for (const [i, length] of lengths.entries()) {
        if (i > 0) yield framing.separator;
        yield* cursor.take(length);
      }
    } finally {
      // An upload that fails half-way stops reading: the blob being read is closed, not left open.
      await cursor.close();
    }
    yield framing.suffix;
  }

  async *#pagesFrom(index: number): AsyncIterable<Uint8Array> {
    for (const page of this.#pages.slice(index)) yield* this.#blobs.read(page.blob);
  }
}

/** Reads a stream of pieces by byte counts; what it hands out are views of the pieces read. */
class ByteCursor {
  readonly #pieces: AsyncIterator<Uint8Array>;
  readonly #release: () => void;
  #piece: Uint8Array = new Uint8Array(0);
  #at = 0;

  constructor(pieces: AsyncIterable<Uint8Array>, release: () => void) {
    this.#pieces = pieces[Symbol.asyncIterator]();
    this.#release = release;
  }

  /** The next `length` bytes, in views of the pieces read. */
  async *take(length: number): AsyncIterable<Uint8Array> {
    let left = length;
    while (left > 0) {
      const piece = await this.#current();
      const take = Math.min(left, piece.byteLength - this.#at);
      yield piece.subarray(this.#at, this.#at + take);
      this.#at += take;
      left -= take;
    }
  }

  /** Passes over the next `length` bytes (rows of the first page that went into the file before). */
  async skip(length: number): Promise<void> {
    let left = length;
    while (left > 0) {
      const piece = await this.#current();
      const step = Math.min(left, piece.byteLength - this.#at);
      this.#at += step;
      left -= step;
    }
  }

  /** Stops reading: what is being read is closed. */
  async close(): Promise<void> {
    await this.#pieces.return?.();
  }

  async #current(): Promise<Uint8Array> {
    if (this.#at < this.#piece.byteLength) return this.#piece;
    // The reader is done with the piece read before (it asks for more only then): dropped and
    // collected now, each piece goes before the next comes, instead of all piling up outside the heap.
    this.#piece = new Uint8Array(0);
    this.#release();
    const next = await this.#pieces.next();
    if (next.done) throw new Error("export page shorter than its rows");
    this.#piece = next.value;
    this.#at = 0;
    return this.#piece;
  }
}
