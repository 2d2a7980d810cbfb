import type { UploadedFile } from "../multipart.ts";
import { badRequest } from "./errors.ts";
import type { FakeFile } from "./files.ts";
import { type Method, type Params, threadOf } from "./methods-messages.ts";
import type { ChatState, FakeMessage, FakeWorld, FileRef } from "./state.ts";

/** The largest photo sendPhoto takes (the Bot API's documented limit). */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/** What Telegram infers from an uploaded document's extension (it ignores the part's content type). */
const TYPES: Readonly<Record<string, string>> = {
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  txt: "text/plain",
  csv: "text/csv",
  zip: "application/zip",
};

/** An upload (or the file_id of a file Telegram has) as a kept file; the fake's errors for anything else. */
function fileOf(world: FakeWorld, value: unknown, kind: string, extension: string): FakeFile {
  if (typeof value === "string") {
    const known = world.files.get(value);
    if (!known) throw badRequest("wrong file identifier/HTTP URL specified");
    return known;
  }
  const upload = value as UploadedFile | undefined;
  if (!upload?.bytes) throw badRequest(`there is no ${kind} in the request`);
  if (upload.bytes.length === 0) throw badRequest("file must be non-empty");
  return world.files.add(kind, { bytes: upload.bytes }, extension);
}

function refOf(file: FakeFile): FileRef {
  return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.size };
}

/** Stores the bot's media message with its caption, in its topic, replying where asked. */
function storeMedia(world: FakeWorld, chat: ChatState, params: Params, media: Partial<FakeMessage>): FakeMessage {
  const thread = threadOf(chat, params);
  const caption = typeof params.caption === "string" && params.caption.length > 0 ? { caption: params.caption } : {};
  return world.store(chat, { from: world.bot, ...media, ...caption, ...thread }).message;
}

/**
 * sendPhoto: at most 10 MB (the Bot API's documented limit). Over that the fake answers with
 * MTProto's error for a photo too big to save (PHOTO_SAVE_FILE_INVALID, as web clients saw it), in
 * the `Bad Request: <ERROR>` form the Bot API gives MTProto errors; that the Bot API passes this
 * one on word for word is assumed, not observed. The channel never sends such a photo anyway.
 */
const sendPhoto: Method = (world, params) => {
  const chat = world.chat(params.chat_id);
  const file = fileOf(world, params.photo, "photo", "jpg");
  if (file.size > MAX_PHOTO_BYTES) throw badRequest("PHOTO_SAVE_FILE_INVALID");
  return storeMedia(world, chat, params, { photo: [{ ...refOf(file), width: 800, height: 600 }] });
};

/** sendDocument: any file up to the upload limit (the HTTP layer answers 413 past it), shown with its name. */
const sendDocument: Method = (world, params) => {
  const chat = world.chat(params.chat_id);
  const upload = params.document as UploadedFile | undefined;
  const fileName = typeof params.document === "string" ? "document" : (upload?.filename ?? "document");
  const extension = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? "dat";
  const file = fileOf(world, params.document, "document", extension);
  const document = { ...refOf(file), file_name: fileName, mime_type: TYPES[extension] ?? "application/octet-stream" };
  return storeMedia(world, chat, params, { document });
};

/** getFile: the path to download a file from, up to 20 MB. */
const getFile: Method = (world, params) => world.files.getFile(params.file_id);

/** File methods: uploads and getFile. */
export const mediaMethods: Record<string, Method> = { sendPhoto, sendDocument, getFile };
