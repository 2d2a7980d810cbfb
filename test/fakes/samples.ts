/**
 * Small stand-ins for the files people send, each starting the way its format does (a JPEG's
 * `FF D8 FF`, a PDF's `%PDF-`), because what receives them looks at the first bytes. Shared by
 * both fakes.
 */
const HEADS: Readonly<Record<string, readonly number[] | string>> = {
  "image/jpeg": [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00],
  "image/png": [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  "image/gif": "GIF89a",
  "image/webp": "RIFF\u0000\u0000\u0000\u0000WEBPVP8 ",
  "application/pdf": "%PDF-1.4\n",
  "audio/ogg": "OggS\u0000",
  "audio/mpeg": "ID3\u0003\u0000",
  "video/mp4": "\u0000\u0000\u0000\u0018ftypisom",
};

/** Bytes of a file of type `mimeType` (unknown types get plain text), made unique by `tag`. */
export function sampleBytes(mimeType: string | undefined, tag: string): Buffer {
  const head = HEADS[mimeType ?? ""] ?? "";
  const start = typeof head === "string" ? Buffer.from(head, "latin1") : Buffer.from(head);
  return Buffer.concat([start, Buffer.from(` sample file ${tag}\n`, "utf8")]);
}
