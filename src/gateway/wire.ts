import { randomUUID } from "node:crypto";
import { releaseYoungGarbage } from "../memory.ts";

/**
 * Bytes that go into a request as a base64 string, written straight into the outgoing frame. A
 * 18 MB attachment would otherwise exist as a buffer, a base64 string, the frame's JSON string and
 * its UTF-8 copy at once (≈ 5× its size); this way the frame's bytes are the only whole copy.
 */
export class Base64Blob {
  /** The exact number of bytes `chunks` yields. */
  readonly byteLength: number;
  /** Reads the bytes, in order, each time it is called. */
  readonly chunks: () => AsyncIterable<Uint8Array>;

  constructor(byteLength: number, chunks: () => AsyncIterable<Uint8Array>) {
    this.byteLength = byteLength;
    this.chunks = chunks;
  }

  /** Length of the base64 text, padding included. */
  get encodedLength(): number {
    return 4 * Math.ceil(this.byteLength / 3);
  }
}

/**
 * The JSON text of a frame: a string when it holds no Base64Blob, else its UTF-8 bytes in one
 * ArrayBuffer of exactly the right size, the blobs' base64 streamed into place.
 */
export function encodeFrame(frame: unknown): string | Promise<ArrayBuffer> {
  const blobs: Base64Blob[] = [];
  // A nonce per frame: no text a person sent can collide with the placeholders.
  const mark = `\u0000${randomUUID()}:`;
  const json = JSON.stringify(frame, (_key, value: unknown) =>
    value instanceof Base64Blob ? `${mark}${blobs.push(value) - 1}` : value,
  );
  if (blobs.length === 0) return json;
  return writeWithBlobs(json, JSON.stringify(mark).slice(1, -1), blobs);
}

async function writeWithBlobs(json: string, escapedMark: string, blobs: readonly Base64Blob[]): Promise<ArrayBuffer> {
  const pieces = json.split(new RegExp(`${escapeRegExp(escapedMark)}\\d+`));
  const total = pieces.reduce((n, p) => n + Buffer.byteLength(p), 0) + blobs.reduce((n, b) => n + b.encodedLength, 0);
  const out = Buffer.from(new ArrayBuffer(total));
  let offset = 0;
  for (const [index, piece] of pieces.entries()) {
    offset += out.write(piece, offset, "utf8");
    const blob = blobs[index];
    if (blob) offset = await writeBase64(out, offset, blob);
  }
  if (offset !== total) throw new Error(`frame size mismatch: wrote ${offset} of ${total} bytes`);
  return out.buffer as ArrayBuffer;
}

/**
 * Writes the base64 of `bytes` (a multiple of 3 long) into `out` at `at`, in slices small enough that
 * each slice's string dies young: a string of a whole 3 MiB piece would live in V8's large-object
 * space until a full collection, and a file's worth of them would outgrow the file itself.
 */
function encodeInto(out: Buffer, at: number, bytes: Buffer): number {
  let offset = at;
  for (let start = 0; start < bytes.length; start += SLICE_BYTES) {
    offset += out.write(bytes.subarray(start, start + SLICE_BYTES).toString("base64"), offset, "latin1");
  }
  return offset;
}

const SLICE_BYTES = 48 * 1024;

/** Streams a blob's base64 into `out` at `offset`, three bytes to four characters, carrying the rest. */
async function writeBase64(out: Buffer, offset: number, blob: Base64Blob): Promise<number> {
  let at = offset;
  let carry = Buffer.alloc(0);
  let read = 0;
  for await (const chunk of blob.chunks()) {
    read += chunk.byteLength;
    const bytes =
      carry.length > 0 ? Buffer.concat([carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const whole = bytes.length - (bytes.length % 3);
    at = encodeInto(out, at, bytes.subarray(0, whole));
    carry = Buffer.from(bytes.subarray(whole));
    // The pieces read live outside the heap and would pile up until the frame is done.
    releaseYoungGarbage();
  }
  if (read !== blob.byteLength) throw new Error(`blob changed: read ${read} bytes, expected ${blob.byteLength}`);
  return at + out.write(carry.toString("base64"), at, "latin1");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
