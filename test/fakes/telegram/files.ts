import { ApiFailure, badRequest } from "./errors.ts";

/** Telegram's getFile limit: a bot cannot download a bigger file. */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/** A file Telegram keeps: what a person sent or the bot uploaded. */
export interface FakeFile {
  file_id: string;
  file_unique_id: string;
  size: number;
  /** The bytes; absent for a file that only has a size (then its content is zeros). */
  bytes?: Buffer | undefined;
  /** Set by the first getFile, as Telegram names the path a download takes. */
  file_path?: string | undefined;
}

/** Folders Telegram's file paths start with, by the kind of file. */
const FOLDERS: Readonly<Record<string, string>> = {
  photo: "photos",
  voice: "voice",
  audio: "music",
  video: "videos",
  video_note: "video_notes",
  animation: "animations",
  sticker: "stickers",
};

/** The files of the fake, by file_id and (once getFile named it) by path. */
export class FileStore {
  readonly #byId = new Map<string, FakeFile & { kind: string; extension: string }>();
  readonly #byPath = new Map<string, FakeFile>();
  #next = 1;

  /** Keeps a new file (bytes, or only a size) of a kind (`photo`, `document`…); returns it. */
  add(kind: string, content: { bytes?: Buffer | undefined; size?: number | undefined }, extension = "dat"): FakeFile {
    const n = this.#next++;
    const file = {
      file_id: `BQACAgIAAx-${kind}-${n}`,
      file_unique_id: `AgAD${kind.slice(0, 3)}${n}`,
      size: content.bytes?.length ?? content.size ?? 0,
      bytes: content.bytes,
      kind,
      extension,
    };
    this.#byId.set(file.file_id, file);
    return file;
  }

  /** The file with this id, if any. */
  get(fileId: string): FakeFile | undefined {
    return this.#byId.get(fileId);
  }

  /** getFile: the file's path for a download, or Telegram's errors for unknown and too big files. */
  getFile(fileId: unknown): Record<string, unknown> {
    const file = this.#byId.get(String(fileId));
    if (!file) throw badRequest("wrong file_id or the file is temporarily unavailable");
    if (file.size > MAX_DOWNLOAD_BYTES) throw badRequest("file is too big");
    if (file.file_path === undefined) {
      file.file_path = `${FOLDERS[file.kind] ?? "documents"}/file_${this.#byPath.size}.${file.extension}`;
      this.#byPath.set(file.file_path, file);
    }
    const { file_id, file_unique_id, size, file_path } = file;
    return { file_id, file_unique_id, file_size: size, file_path };
  }

  /** The bytes behind a download path (from getFile), or a 404 like Telegram's file server. */
  download(path: string): Buffer {
    const file = this.#byPath.get(path);
    if (!file) throw new ApiFailure(404, "Not Found");
    return file.bytes ?? Buffer.alloc(file.size);
  }

  /** Forgets a file's path, as when Telegram's one-hour download link expired. */
  expire(fileId: string): void {
    const file = this.#byId.get(fileId);
    if (file?.file_path !== undefined) this.#byPath.delete(file.file_path);
    if (file) file.file_path = undefined;
  }
}
