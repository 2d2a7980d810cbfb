import { type Api, InputFile } from "grammy";
import type { Message } from "grammy/types";
import type { Logger, OutgoingFile } from "../../core/ports.ts";
import { safeFileName } from "../file-names.ts";
import { type TelegramTarget, threadParams } from "./conversation.ts";
import { errorFields, isPhotoRefused } from "./errors.ts";

/** The largest file a bot may upload (multipart/form-data) to Telegram's Bot API. */
export const TELEGRAM_UPLOAD_MAX_BYTES = 50 * 1024 * 1024;

/** The largest photo sendPhoto takes; a bigger image goes as a document. */
export const TELEGRAM_PHOTO_MAX_BYTES = 10 * 1024 * 1024;

/**
 * Posts a file the agent sent: an image Telegram can show goes as a photo, anything else (and an
 * image it refuses as a photo: too many pixels, an odd ratio) as a document, under its own name.
 */
export async function upload(
  deps: { api: Api; logger: Logger; token: string },
  target: TelegramTarget,
  file: OutgoingFile,
): Promise<Message> {
  const name = safeFileName(file.fileName, file.mimeType);
  // The bytes are streamed into the multipart body, never whole in memory. grammY reads an InputFile
  // made of a function by calling it each time it serializes the request, so auto-retry's second
  // attempt after a 429 gets a fresh read (an InputFile over an iterable would refuse to be reused).
  // A fresh InputFile per call too, for the fallback from sendPhoto to sendDocument.
  const input = () => new InputFile(() => file.content.open(), name);
  const extra = threadParams(target);
  if (file.kind === "image" && file.content.size <= TELEGRAM_PHOTO_MAX_BYTES) {
    try {
      return await deps.api.sendPhoto(target.chatId, input(), extra);
    } catch (error) {
      if (!isPhotoRefused(error)) throw error;
      deps.logger.info("telegram: not taken as a photo, sending it as a document", {
        file: name,
        ...errorFields(error, deps.token),
      });
    }
  }
  return deps.api.sendDocument(target.chatId, input(), extra);
}
