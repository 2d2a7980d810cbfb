import type { FileContent } from "./ports.ts";

/** Content over bytes already in memory (a file the agent sent, fetched whole). */
export function bytesContent(bytes: Uint8Array): FileContent {
  return {
    size: bytes.byteLength,
    async *open() {
      yield bytes;
    },
  };
}

/**
 * Reads content into one buffer of exactly its size (no list of pieces joined afterwards), for the
 * places that need a file whole; throws when the content is not the size it claims.
 */
export async function readContent(content: FileContent): Promise<Uint8Array> {
  const whole = new Uint8Array(content.size);
  let at = 0;
  for await (const chunk of content.open()) {
    if (at + chunk.byteLength > whole.byteLength) throw new Error(`file content longer than ${content.size} bytes`);
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  if (at !== whole.byteLength) throw new Error(`file content is ${at} bytes, expected ${content.size}`);
  return whole;
}
