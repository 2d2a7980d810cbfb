import { sampleBytes } from "../samples.ts";
import type { FakeFile, FileStore } from "./files.ts";
import type { FakeMessage, FileRef } from "./state.ts";

/** Kinds of media a person can send. */
export type FakeMediaKind = "photo" | "document" | "voice" | "audio" | "video" | "video_note" | "animation" | "sticker";

/** Media with its file: the bytes, or only a size (a file too big to bother with). */
export interface FakeMediaSpec {
  kind: FakeMediaKind;
  /** The file (a photo's largest size); a small sample of the kind when absent. */
  bytes?: Uint8Array | undefined;
  /** A size without bytes: the file reads as that many zeros. */
  size?: number | undefined;
  /** `false` leaves file_size out of the message, which the Bot API allows. */
  declareSize?: boolean | undefined;
  fileName?: string | undefined;
  mimeType?: string | undefined;
}

/** A kind (with a sample file) or a spec. */
export type FakeMedia = FakeMediaKind | FakeMediaSpec;

/** What Telegram fills in when the sender's client said nothing: type, name, and the extension of its path. */
const DEFAULTS: Readonly<Record<FakeMediaKind, { mimeType: string; fileName?: string; extension: string }>> = {
  photo: { mimeType: "image/jpeg", extension: "jpg" },
  document: { mimeType: "application/pdf", fileName: "receipt.pdf", extension: "pdf" },
  voice: { mimeType: "audio/ogg", extension: "oga" },
  audio: { mimeType: "audio/mpeg", fileName: "song.mp3", extension: "mp3" },
  video: { mimeType: "video/mp4", fileName: "clip.mp4", extension: "mp4" },
  video_note: { mimeType: "video/mp4", extension: "mp4" },
  animation: { mimeType: "video/mp4", fileName: "funny.mp4", extension: "mp4" },
  sticker: { mimeType: "image/webp", extension: "webp" },
};

let samples = 0;

/** The message fields of a media message, its files kept in `files`. */
export function mediaFields(files: FileStore, media: FakeMedia): Partial<FakeMessage> {
  const spec: FakeMediaSpec = typeof media === "string" ? { kind: media } : media;
  const defaults = DEFAULTS[spec.kind];
  const mime_type = spec.mimeType ?? defaults.mimeType;
  const named = { file_name: spec.fileName ?? defaults.fileName, mime_type };
  const content = spec.bytes
    ? { bytes: Buffer.from(spec.bytes) }
    : spec.size !== undefined
      ? { size: spec.size }
      : { bytes: sampleBytes(mime_type, `${spec.kind} ${++samples}`) };
  const ref = refOf(files.add(spec.kind, content, defaults.extension), spec.declareSize !== false);
  switch (spec.kind) {
    case "photo":
      return { photo: [...smallerSizes(files), { ...ref, width: 1280, height: 960 }] };
    case "document":
      return { document: { ...ref, ...named } };
    case "voice":
      return { voice: { ...ref, duration: 3, mime_type } };
    case "audio":
      return { audio: { ...ref, ...named, duration: 95 } };
    case "video":
      return { video: { ...ref, ...named, width: 640, height: 360, duration: 12 } };
    case "video_note":
      return { video_note: { ...ref, length: 240, duration: 8 } };
    case "animation":
      // Telegram puts an animation's file in `document` as well, for older clients.
      return { animation: { ...ref, ...named, width: 320, height: 240, duration: 4 }, document: { ...ref, ...named } };
    case "sticker":
      return { sticker: { ...ref, type: "regular", width: 512, height: 512 } };
  }
}

function refOf(file: FakeFile, declareSize: boolean): FileRef {
  const ref = { file_id: file.file_id, file_unique_id: file.file_unique_id };
  return declareSize ? { ...ref, file_size: file.size } : ref;
}

/** Telegram keeps a photo in several sizes, listed smallest first; the largest is what was sent. */
function smallerSizes(files: FileStore): (FileRef & { width: number; height: number })[] {
  return [
    [90, 68],
    [320, 240],
  ].map(([width = 0, height = 0]) => {
    const file = files.add("photo", { bytes: sampleBytes("image/jpeg", `scaled to ${width}x${height}`) }, "jpg");
    return { ...refOf(file, true), width, height };
  });
}
