import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { BotError, ErrorCode } from "../core/errors.ts";
import type { BlobStore } from "../core/ports.ts";
import { releaseYoungGarbage } from "../memory.ts";

const ID = /^[0-9a-f-]{36}$/;
const WRITE_BYTES = 1024 * 1024;
const READ_BYTES = 384 * 1024;

/**
 * Blobs as files in one folder beside the store (`<store dir>/attachments/`), written to a temp name,
 * fsync'ed and renamed, so a blob id in the journal always names a whole file.
 */
export class FileBlobStore implements BlobStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async write(bytes: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ id: string; size: number }> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const id = randomUUID();
    const temp = join(this.#dir, `${id}.part`);
    const file = await open(temp, "wx", 0o600);
    let size = 0;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    try {
      for await (const chunk of bytes) {
        size += chunk.byteLength;
        if (size > maxBytes) throw new BotError(ErrorCode.BadInput, `larger than ${maxBytes} bytes`);
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        // A download comes in ~64 KiB pieces: one write per MiB instead of one awaited write each.
        if (pendingBytes < WRITE_BYTES) continue;
        await file.writev(pending);
        pending = [];
        pendingBytes = 0;
        releaseYoungGarbage();
      }
      if (pending.length > 0) await file.writev(pending);
      await file.sync();
      await file.close();
      await rename(temp, join(this.#dir, id));
      return { id, size };
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw error;
    }
  }

  async *read(id: string): AsyncIterable<Uint8Array> {
    if (!ID.test(id)) throw new BotError(ErrorCode.NotFound, "unknown attachment");
    // Pieces a multiple of 3 bytes long, so each encodes to base64 with no bytes carried over.
    yield* createReadStream(join(this.#dir, id), { highWaterMark: READ_BYTES });
  }

  async remove(ids: readonly string[]): Promise<void> {
    await Promise.all(ids.filter((id) => ID.test(id)).map((id) => rm(join(this.#dir, id), { force: true })));
  }

  async sweep(keep: ReadonlySet<string>): Promise<number> {
    const names = await readdir(this.#dir).catch(() => [] as string[]);
    const gone = names.filter((name) => !keep.has(name));
    await Promise.all(gone.map((name) => rm(join(this.#dir, name), { force: true })));
    return gone.length;
  }
}

/** Blobs in memory, for tests and benchmarks of the core. */
export class MemoryBlobStore implements BlobStore {
  readonly blobs = new Map<string, Buffer>();

  async write(bytes: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ id: string; size: number }> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of bytes) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new BotError(ErrorCode.BadInput, `larger than ${maxBytes} bytes`);
      chunks.push(Buffer.from(chunk));
    }
    const id = randomUUID();
    this.blobs.set(id, Buffer.concat(chunks));
    return { id, size };
  }

  async *read(id: string): AsyncIterable<Uint8Array> {
    const blob = this.blobs.get(id);
    if (!blob) throw new BotError(ErrorCode.NotFound, "unknown attachment");
    yield blob;
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.blobs.delete(id);
  }

  async sweep(keep: ReadonlySet<string>): Promise<number> {
    const gone = [...this.blobs.keys()].filter((id) => !keep.has(id));
    for (const id of gone) this.blobs.delete(id);
    return gone.length;
  }
}
