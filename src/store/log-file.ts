import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { fsyncDir, readBytesIfExists, writeAll } from "./durable-fs.ts";
import type { AppendLog } from "./writer.ts";

/**
 * The append-only change log beside the snapshot: one line per accepted patch,
 * `{"seq":12,"patch":{…}}\n`, seqs consecutive. A batch of lines is one write and one
 * fdatasync, and a patch is acknowledged only after that, so a line without its
 * newline at the very end (a crash mid-append) was never acknowledged and is dropped.
 * Any other bad line means the file was damaged after the fact: that is corruption.
 */

/** One replayable line of the log. */
export interface LogEntry {
  seq: number;
  patch: Record<string, unknown>;
  /** 1-based line number, for error messages. */
  line: number;
}

/** A log as read at open. */
export interface LogContents {
  entries: LogEntry[];
  /** Length of the complete lines; anything after it is a torn tail. */
  goodBytes: number;
  /** Bytes of the torn tail (0 when the file ends with a newline). */
  tornBytes: number;
}

/** The log read from `path` (null when absent), or the problem with its first bad line. */
export async function readLog(path: string): Promise<LogContents | { problem: string } | null> {
  const bytes = await readBytesIfExists(path);
  if (bytes === null) return null;
  const entries: LogEntry[] = [];
  let start = 0;
  for (let line = 1; ; line++) {
    const end = bytes.indexOf(0x0a, start);
    if (end === -1) break;
    const entry = parseLine(bytes.toString("utf8", start, end), line);
    if (typeof entry === "string") return { problem: `line ${line}: ${entry}` };
    const previous = entries.at(-1);
    if (previous !== undefined && entry.seq !== previous.seq + 1) {
      return { problem: `line ${line}: seq ${entry.seq} does not follow seq ${previous.seq}` };
    }
    entries.push(entry);
    start = end + 1;
  }
  return { entries, goodBytes: start, tornBytes: bytes.length - start };
}

/** One line's envelope; the patch inside is validated entry by entry when it is applied. */
const LogLineSchema = z.object({
  seq: z.number().int().positive(),
  patch: z.record(z.string(), z.unknown()),
});

function parseLine(text: string, line: number): LogEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  const result = LogLineSchema.safeParse(value);
  if (!result.success) return z.prettifyError(result.error).replace(/\s*\n\s*/g, " ");
  return { ...result.data, line };
}

/** The log's open append handle. Appends go through one writer, so they never interleave. */
export class LogAppender implements AppendLog {
  readonly #handle: FileHandle;
  #bytes: number;
  #lines: number;

  private constructor(handle: FileHandle, bytes: number, lines: number) {
    this.#handle = handle;
    this.#bytes = bytes;
    this.#lines = lines;
  }

  /**
   * Opens (creating) the log for appending, cut to its first `keep.bytes` bytes: a torn
   * tail must go, or the next append would turn it into a bad line in the middle.
   */
  static async open(
    path: string,
    found: LogContents | null,
    keep: { bytes: number; lines: number },
  ): Promise<LogAppender> {
    const handle = await open(path, "a");
    if (found === null) await fsyncDir(dirname(path));
    else if (found.goodBytes + found.tornBytes > keep.bytes) {
      await handle.truncate(keep.bytes);
      await handle.datasync();
    }
    return new LogAppender(handle, keep.bytes, keep.lines);
  }

  /** Bytes in the log. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Lines in the log. */
  get lines(): number {
    return this.#lines;
  }

  /** Appends complete lines and waits until they are on disk. */
  async append(text: string, lines: number): Promise<void> {
    const bytes = await writeAll(this.#handle, text);
    await this.#handle.datasync();
    this.#bytes += bytes;
    this.#lines += lines;
  }

  /** Empties the log once a snapshot holds everything in it. */
  async clear(): Promise<void> {
    await this.#handle.truncate(0);
    await this.#handle.datasync();
    this.#bytes = 0;
    this.#lines = 0;
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.#handle.close();
  }
}
