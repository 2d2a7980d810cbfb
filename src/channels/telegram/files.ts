import type { Message, PhotoSize } from "grammy/types";
import type { InboundFile } from "../../core/turns/attachments.ts";
import { extensionOf } from "../file-names.ts";
import { TELEGRAM_DOWNLOAD_MAX_BYTES, type TelegramDownloads } from "./downloads.ts";

/** The image types a model reads; a document of one of these is passed on as an image. */
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** What Telegram says about one file of a message. */
interface Described {
  kind: InboundFile["kind"];
  fileId: string;
  fileName: string;
  mimeType: string | undefined;
  size: number | undefined;
}

interface Media {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
  file_name?: string;
  mime_type?: string;
}

/** A file of a kind Telegram names no file for: `<prefix>-<file_unique_id>.<ext>`. */
function described(media: Media, prefix: string, fallbackType: string, kind: InboundFile["kind"] = "file"): Described {
  const mimeType = media.mime_type ?? fallbackType;
  return {
    kind,
    fileId: media.file_id,
    fileName: media.file_name ?? `${prefix}-${media.file_unique_id}.${extensionOf(mimeType)}`,
    mimeType,
    size: media.file_size,
  };
}

/** The largest of a photo's sizes, by pixels (Telegram lists them smallest first, but says so nowhere). */
function largest(sizes: readonly PhotoSize[]): PhotoSize | undefined {
  const larger = (a: PhotoSize, b: PhotoSize) =>
    a.width * a.height > b.width * b.height ||
    (a.width * a.height === b.width * b.height && (a.file_size ?? 0) > (b.file_size ?? 0));
  return sizes.reduce<PhotoSize | undefined>(
    (best, s) => (best === undefined || larger(s, best) ? s : best),
    undefined,
  );
}

/**
 * The one file a message carries, as Telegram describes it. An animation also carries `document`
 * (the same file), so the specific kinds are read first.
 */
function describe(message: Message): Described | undefined {
  const photo = message.photo ? largest(message.photo) : undefined;
  if (photo) return described(photo, "photo", "image/jpeg", "image");
  if (message.animation) return described(message.animation, "animation", "video/mp4");
  if (message.video) return described(message.video, "video", "video/mp4");
  if (message.video_note) return described(message.video_note, "video-note", "video/mp4");
  if (message.voice) return described(message.voice, "voice", "audio/ogg");
  if (message.audio) return described(message.audio, "audio", "audio/mpeg");
  const document = message.document;
  if (!document) return undefined;
  const image = document.mime_type !== undefined && IMAGE_TYPES.has(document.mime_type);
  return described(document, "document", "application/octet-stream", image ? "image" : "file");
}

/** True when the message carries a file the agent can be given. */
export function hasFile(message: Message): boolean {
  return describe(message) !== undefined;
}

/** The files of a message the agent can be given (none for text, stickers, polls…), downloaded only when asked. */
export function filesOf(message: Message, downloads: TelegramDownloads): InboundFile[] {
  const file = describe(message);
  if (!file) return [];
  return [
    {
      kind: file.kind,
      fileName: file.fileName,
      mimeType: file.mimeType,
      size: file.size,
      platformMaxBytes: TELEGRAM_DOWNLOAD_MAX_BYTES,
      platform: "Telegram",
      download: () => downloads.open(file.fileId),
    },
  ];
}
