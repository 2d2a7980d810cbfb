import type { IncomingMessage, ServerResponse } from "node:http";
import { isMultipart, parseMultipart, readRaw } from "../multipart.ts";
import { ApiFailure } from "./errors.ts";
import type { FileStore } from "./files.ts";
import type { Params } from "./methods-messages.ts";

/** The largest file the Bot API takes in a multipart upload. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

// The body around a 50 MB file: its other fields and the multipart framing fit in this much more.
const MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024;

/** A request's parameters, and whether an upload in it is over the Bot API's limit. */
export interface ReadParams {
  params: Params;
  tooLarge: boolean;
}

/**
 * Parameters of a Bot API call from the query string and the body: JSON, url-encoded, or
 * multipart/form-data (uploads), where a field `attach://<id>` names the file sent as part `<id>`
 * and becomes that UploadedFile, and JSON-serialized fields (reply_parameters…) are parsed.
 */
export async function readParams(req: IncomingMessage): Promise<ReadParams> {
  const query: Params = Object.fromEntries(new URL(req.url ?? "/", "http://x").searchParams);
  const contentType = req.headers["content-type"] ?? "";
  const { body, size } = await readRaw(req, MAX_BODY_BYTES);
  if (!body) return { params: query, tooLarge: true };
  if (size === 0) return { params: query, tooLarge: false };
  if (isMultipart(contentType)) return fromMultipart(query, body, contentType);
  const text = body.toString("utf8");
  if (contentType.includes("application/json")) return { params: { ...query, ...JSON.parse(text) }, tooLarge: false };
  return { params: { ...query, ...Object.fromEntries(new URLSearchParams(text)) }, tooLarge: false };
}

function fromMultipart(query: Params, body: Buffer, contentType: string): ReadParams {
  const { fields, files } = parseMultipart(body, contentType);
  const params: Params = { ...query };
  const attached = new Set<string>();
  for (const [name, value] of Object.entries(fields)) {
    const id = /^attach:\/\/(.+)$/.exec(value)?.[1];
    const file = id === undefined ? undefined : files.find((f) => f.field === id);
    if (file) attached.add(file.field);
    params[name] = file ?? parsed(value);
  }
  // A file may also be sent straight under its parameter's name (`photo`), which the Bot API takes too.
  for (const file of files) if (!attached.has(file.field)) params[file.field] = file;
  return { params, tooLarge: files.some((f) => f.bytes.length > MAX_UPLOAD_BYTES) };
}

/** A field's value, JSON-parsed when it is a serialized object or array (reply_parameters, reply_markup). */
function parsed(value: string): unknown {
  if (!/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Writes a Bot API JSON answer (nothing when the client is gone). */
export function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/**
 * GET /file/bot<token>/<file_path>: the bytes of a file getFile named, as Telegram's file server
 * sends them; 404 for any other path (and for a wrong token: `files` undefined).
 */
export function serveFile(res: ServerResponse, files: FileStore | undefined, path: string): void {
  let bytes: Buffer;
  try {
    if (!files) throw new ApiFailure(404, "Not Found");
    bytes = files.download(decodeURIComponent(path));
  } catch (error) {
    const failure = error instanceof ApiFailure ? error : new ApiFailure(500, String(error));
    reply(res, failure.code, { ok: false, error_code: failure.code, description: failure.description });
    return;
  }
  if (res.destroyed) return;
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(bytes.length) });
  res.end(bytes);
}
