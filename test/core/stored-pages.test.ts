import { existsSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BlobStore, FileContent } from "../../src/core/ports.ts";
import { type StoredPage, StoredTranscript } from "../../src/core/threads/stored-pages.ts";
import { FileBlobStore, MemoryBlobStore } from "../../src/store/blobs.ts";
import { tempDir, until } from "./support/bot-harness.ts";

const frame = { prefix: "[", separator: ",", suffix: "]" };
const encoder = new TextEncoder();

async function park(blobs: BlobStore, pages: string[][]): Promise<StoredPage[]> {
  const stored: StoredPage[] = [];
  for (const rows of pages) {
    const encoded = rows.map((row) => encoder.encode(row));
    const { id } = await blobs.write(
      (async function* () {
        yield* encoded;
      })(),
      1024,
    );
    stored.push({ blob: id, rowBytes: encoded.map((bytes) => bytes.byteLength) });
  }
  return stored;
}

async function text(content: FileContent): Promise<string> {
  const pieces: Uint8Array[] = [];
  for await (const piece of content.open()) pieces.push(piece);
  return Buffer.concat(pieces).toString("utf8");
}

describe("StoredTranscript", () => {
  it("reads a part's rows across pages, framed, at its exact size, as often as it is opened", async () => {
    const blobs = new MemoryBlobStore();
    const pages = await park(blobs, [["a", "bb"], ["ccc"], ["dddd", "é"]]);
    const transcript = new StoredTranscript(blobs, pages, () => undefined);
    const middle = transcript.part(1, 3, frame);
    expect(await text(middle)).toBe("[bb,ccc,dddd]");
    expect(await text(middle)).toBe("[bb,ccc,dddd]");
    expect(middle.size).toBe(Buffer.byteLength("[bb,ccc,dddd]"));
    const last = transcript.part(4, 1, frame);
    expect(await text(last)).toBe("[é]");
    expect(last.size).toBe(Buffer.byteLength("[é]"));
    expect(await text(transcript.part(0, 5, frame))).toBe("[a,bb,ccc,dddd,é]");
  });

  it("can be left half-read (an upload that failed): the blob being read is closed", async () => {
    const dir = join(await tempDir(), "blobs");
    const blobs = new FileBlobStore(dir);
    const pages = await park(blobs, [["one", "two"], ["three"]]);
    const part = new StoredTranscript(blobs, pages, () => undefined).part(0, 3, frame);
    const read: string[] = [];
    for await (const piece of part.open()) {
      read.push(Buffer.from(piece).toString());
      if (read.length === 2) break;
    }
    expect(read).toEqual(["[", "one"]);
    await until(() => openIn(dir) === 0, "the blob closed");
    expect(await text(part)).toBe("[one,two,three]");
  });
});

/** How many of this process's file descriptors are open on files in `dir` (Linux; 0 elsewhere). */
function openIn(dir: string): number {
  const fds = existsSync("/proc/self/fd") ? readdirSync("/proc/self/fd") : [];
  return fds.filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false;
    }
  }).length;
}
