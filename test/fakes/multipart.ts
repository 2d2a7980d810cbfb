import type { IncomingMessage } from "node:http";

/** A file part of a multipart/form-data request. */
export interface UploadedFile {
  /** The form field it came in (grammY: a random id named by `attach://<id>`; discord.js: `files[n]`). */
  field: string;
  filename: string;
  contentType: string | undefined;
  bytes: Buffer;
}

/** The fields and files of a multipart/form-data body. */
export interface MultipartBody {
  fields: Record<string, string>;
  files: UploadedFile[];
}

/** A request body, kept whole up to `keepBytes`; past that only its size is known. Shared by both fakes. */
export async function readRaw(request: IncomingMessage, keepBytes: number): Promise<{ body?: Buffer; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= keepBytes) chunks.push(chunk as Buffer);
  }
  return size <= keepBytes ? { body: Buffer.concat(chunks), size } : { size };
}

/** True for a multipart/form-data content type. */
export function isMultipart(contentType: string | undefined): boolean {
  return (contentType ?? "").toLowerCase().startsWith("multipart/form-data");
}

/**
 * Parses a multipart/form-data body as servers do, leniently about header spelling: grammY writes
 * `content-disposition:form-data;name="x";filename=a.jpg` (no spaces, the name unquoted), undici
 * (discord.js) `Content-Disposition: form-data; name="files[0]"; filename="a.png"`.
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartBody {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const delimiter = Buffer.from(`--${boundary?.[1] ?? boundary?.[2] ?? ""}`);
  const result: MultipartBody = { fields: {}, files: [] };
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    // The part sits between the CRLF after one delimiter and the CRLF before the next.
    addPart(result, body.subarray(start + 2, next - 2));
    at = next;
  }
  return result;
}

function addPart(result: MultipartBody, part: Buffer): void {
  const split = part.indexOf("\r\n\r\n");
  const headers = part.subarray(0, split).toString("utf8");
  const content = part.subarray(split + 4);
  const name = /(?:^|;)\s*name="([^"]*)"/im.exec(headers)?.[1] ?? "";
  const filename = /filename=(?:"([^"]*)"|([^;\r\n]*))/i.exec(headers);
  if (!filename) {
    result.fields[name] = content.toString("utf8");
    return;
  }
  const type = /^content-type:\s*([^\r\n]+)/im.exec(headers)?.[1]?.trim();
  result.files.push({ field: name, filename: filename[1] ?? filename[2] ?? "", contentType: type, bytes: content });
}
