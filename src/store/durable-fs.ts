import { closeSync, fdatasync, openSync, writeSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { copyFile, open, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";

/**
 * Small file helpers for crash safety. Measured on this machine's ext4 (virtio disk):
 * an fdatasync after a 300-byte append costs about 0.4 ms at P50 (3.5 ms at P99), and
 * writing plus fsyncing a 48 MB snapshot about 50 ms. That is cheap next to the 5 ms
 * budget of a journal write, so every acknowledged change is fdatasync'ed rather than
 * trusting the page cache: a power loss then never loses an acknowledged change.
 */

/** The hidden temp file used for an atomic replace of `path`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp`);
}

/** True for a Node error with one of the given codes. */
export function hasCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? "");
}

/** Writes all of `text` at the handle's position (a single write may be partial); returns its byte length. */
export async function writeAll(handle: FileHandle, text: string): Promise<number> {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
  return bytes.length;
}

/** The file's text, or null when it does not exist. */
export async function readTextIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (hasCode(error, "ENOENT")) return null;
    throw error;
  }
}

/**
 * The file's bytes, or null when it does not exist. Read with one call of the size
 * the file has: fs.readFile reads in 512 KiB pieces, each a round trip to the thread
 * pool, which cost 10–20 ms of a 100,000-thread load. A file that reports no size
 * (as /proc files do) is read the ordinary way.
 */
export async function readBytesIfExists(path: string): Promise<Buffer | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if (hasCode(error, "ENOENT")) return null;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return await handle.readFile();
    const bytes = Buffer.allocUnsafe(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(bytes, offset, size - offset, offset);
      if (bytesRead === 0) break; // shrank meanwhile
      offset += bytesRead;
    }
    return offset === size ? bytes : bytes.subarray(0, offset);
  } finally {
    await handle.close();
  }
}

/**
 * Makes a rename or a file creation in `dir` durable. Some platforms and filesystems
 * cannot open or fsync a directory; there the rename is as durable as they allow.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (error) {
    if (!hasCode(error, "EISDIR", "EINVAL", "EPERM", "ENOTSUP", "EBADF")) throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Replaces `path` atomically with the concatenated chunks: write a temp file beside
 * it, fsync it, rename it over `path`, fsync the directory. A crash at any point
 * leaves either the old file or the new one, never a mix. The chunks are consumed
 * synchronously, so a lazy serializer sees one instant of the state and never holds
 * the whole file in memory; only the fsync and the rename are awaited.
 */
export async function writeFileDurable(path: string, chunks: Iterable<string>): Promise<void> {
  const temp = tempPathFor(path);
  const fd = openSync(temp, "w");
  try {
    for (const chunk of chunks) writeAllSync(fd, chunk);
    await fdatasyncAsync(fd);
  } catch (error) {
    closeSync(fd);
    await rm(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  await rename(temp, path);
  await fsyncDir(dirname(path));
}

const fdatasyncAsync = promisify(fdatasync);

function writeAllSync(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
}

/** Copies `from` to `to` with the same atomic, durable replace as writeFileDurable. */
export async function copyFileDurable(from: string, to: string): Promise<void> {
  const temp = tempPathFor(to);
  await copyFile(from, temp);
  const handle = await open(temp, "r+");
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(temp, to);
  await fsyncDir(dirname(to));
}
