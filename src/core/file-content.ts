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
