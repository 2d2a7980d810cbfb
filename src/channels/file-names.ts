/**
 * File names the channels put on files: what a platform shows (a Telegram document, a Discord
 * attachment) and what the console writes to disk. The agent (or a person) chooses the name, so it
 * is made safe before it reaches a multipart header or a folder.
 */
import { truncate } from "../core/text/truncate.ts";

/** Extensions of the types the channels name files after when the platform gives no name. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "application/pdf": "pdf",
  "audio/ogg": "ogg",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "video/mp4": "mp4",
  "text/plain": "txt",
};

// Path separators, characters Windows forbids, `;` (grammY writes the name unquoted into the
// multipart header) and control characters.
const UNSAFE = /[<>:"/\\|?*;\p{Cc}\p{Cf}]/gu;
const MAX_NAME = 120;

/** The usual extension of a MIME type (without the dot), `bin` when unknown. */
export function extensionOf(mimeType: string | undefined): string {
  const base = mimeType?.split(";")[0]?.trim().toLowerCase() ?? "";
  return EXTENSIONS[base] ?? "bin";
}

/**
 * A name safe as a file name anywhere: its last path segment, unsafe characters replaced, no
 * leading dot (no hidden files, no `..`), at most 120 characters with the extension kept; a name
 * with nothing left becomes `file.<extension of mimeType>`.
 */
export function safeFileName(name: string, mimeType?: string): string {
  const last = name.split(/[/\\]/).pop() ?? "";
  const cleaned = last
    .replace(UNSAFE, "_")
    .trim()
    .replace(/^[.\s]+/, "");
  if (cleaned.replace(/[_\s.]/g, "").length === 0) return `file.${extensionOf(mimeType)}`;
  if (cleaned.length <= MAX_NAME) return cleaned;
  const dot = cleaned.lastIndexOf(".");
  const extension = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : "";
  return truncate(cleaned.slice(0, cleaned.length - extension.length), MAX_NAME - extension.length) + extension;
}
