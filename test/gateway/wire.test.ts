import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Base64Blob, encodeFrame } from "../../src/gateway/wire.ts";

/** A blob read in chunks of the given sizes (cycled), to cross every 3-byte boundary. */
function blobOf(bytes: Buffer, chunkSizes: number[]): Base64Blob {
  return new Base64Blob(bytes.length, async function* () {
    let at = 0;
    let i = 0;
    while (at < bytes.length) {
      const size = chunkSizes[i++ % chunkSizes.length] ?? 1;
      yield bytes.subarray(at, at + size);
      at += size;
    }
  });
}

async function text(frame: string | Promise<ArrayBuffer>): Promise<string> {
  return typeof frame === "string" ? frame : new TextDecoder("utf-8", { fatal: true }).decode(await frame);
}

describe("encodeFrame", () => {
  it("is plain JSON text when a frame holds no blob", () => {
    const frame = { type: "req", id: "r1", params: { message: "hé \u0000 🚀" } };
    expect(encodeFrame(frame)).toBe(JSON.stringify(frame));
  });

  it.each([0, 1, 2, 3, 4, 5, 64 * 1024 + 1, 300_001])(
    "writes a %i-byte blob as the base64 JSON.stringify would",
    async (size) => {
      const bytes = randomBytes(size);
      for (const chunks of [[1], [2, 7], [65_536], [5, 3, 11]]) {
        const frame = {
          type: "req",
          params: {
            message: "caption — ünïcode 🚀 and a NUL \u0000",
            attachments: [{ content: blobOf(bytes, chunks) }],
          },
        };
        const expected = JSON.stringify({
          type: "req",
          params: { message: frame.params.message, attachments: [{ content: bytes.toString("base64") }] },
        });
        expect(await text(encodeFrame(frame))).toBe(expected);
      }
    },
  );

  it("keeps several blobs in their places, and text that looks like a placeholder intact", async () => {
    const a = randomBytes(10);
    const b = randomBytes(11);
    const message = '\u0000tk:0 "\\u0000" :1';
    const frame = { message, files: [blobOf(a, [4]), { inner: blobOf(b, [5]) }] };
    const expected = JSON.stringify({ message, files: [a.toString("base64"), { inner: b.toString("base64") }] });
    expect(await text(encodeFrame(frame))).toBe(expected);
  });

  it("refuses a blob that yields other than its declared size", async () => {
    const short = new Base64Blob(10, async function* () {
      yield Buffer.alloc(9);
    });
    await expect(encodeFrame({ content: short })).rejects.toThrow(/read 9 bytes, expected 10/);
  });
});
