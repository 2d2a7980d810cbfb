import { bytesContent } from "../../../src/core/file-content.ts";
import type { FileContent, OutgoingFile } from "../../../src/core/ports.ts";
import type { InboundFile } from "../../../src/core/turns/attachments.ts";

/** Downloads a file a channel handed over, as the core does, and returns its bytes. */
export async function downloaded(file: InboundFile | undefined): Promise<Buffer> {
  if (!file) throw new Error("no such file in the invocation");
  const chunks: Uint8Array[] = [];
  for await (const chunk of await file.download()) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** `n` bytes that start like a PNG (the core checks an image's first bytes), distinct per `seed`. */
export function pngBytes(n: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(n);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  for (let i = 8; i < n; i++) bytes[i] = (i * 31 + seed) % 251;
  return bytes;
}

/** A small PDF's bytes. */
export function pdfBytes(text = "quarterly report"): Uint8Array {
  return Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`, "latin1");
}

/** Content that yields `bytes` in pieces of `pieceBytes`, as a blob read does, and counts its reads. */
export function streamed(bytes: Uint8Array, pieceBytes = 64 * 1024): FileContent & { opened: number } {
  const content = {
    size: bytes.byteLength,
    opened: 0,
    async *open() {
      content.opened += 1;
      for (let at = 0; at < bytes.byteLength; at += pieceBytes) yield bytes.slice(at, at + pieceBytes);
    },
  };
  return content;
}

/** An OutgoingFile of bytes in memory (as the agent's files are sent). */
export function fileOf(file: Omit<OutgoingFile, "content"> & { bytes: Uint8Array }): OutgoingFile {
  const { bytes, ...rest } = file;
  return { ...rest, content: bytesContent(bytes) };
}
