import type { ServerResponse } from "node:http";
import { sampleBytes } from "../samples.ts";
import { type FakeAttachment, snowflake, type World } from "./world.ts";

/** Discord's upload limit for a bot in a server without boosts, per file. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

const PATH = /^\/attachments\/(\d+)\/(\d+)\/([^/]+)$/;

/**
 * A posted message's files as the CDN keeps them: each gets an id and a url on the fake's own
 * server (`<origin>/attachments/<channel>/<id>/<name>`, Discord's CDN layout), and bytes.
 */
export function keepAttachments(origin: string, channelId: string, files: readonly FakeAttachment[]): FakeAttachment[] {
  return files.map((file) => {
    const id = snowflake();
    const bytes = file.bytes ?? (file.size === undefined ? sampleBytes(file.contentType, file.filename) : undefined);
    const url = `${origin}/attachments/${channelId}/${id}/${encodeURIComponent(file.filename)}`;
    return { ...file, id, url, bytes, size: bytes?.length ?? file.size ?? 0 };
  });
}

/** GET /attachments/…: the file's bytes, or the CDN's 404 for an unknown, deleted or expired one. */
export function serveAttachment(world: World, path: string, response: ServerResponse): number {
  const match = PATH.exec(path);
  const file = match ? findAttachment(world, match[2] ?? "") : undefined;
  if (!file || file.expired) {
    response.writeHead(404, { "content-type": "text/plain" });
    response.end("This content is no longer available.");
    return 404;
  }
  const bytes = file.bytes ?? new Uint8Array(file.size ?? 0);
  response.writeHead(200, { "content-type": file.contentType, "content-length": String(bytes.length) });
  response.end(bytes);
  return 200;
}

/** The attachment with this id on any message, if any. */
export function findAttachment(world: World, id: string): FakeAttachment | undefined {
  for (const message of world.messages.values()) {
    const found = message.attachments.find((a) => a.id === id);
    if (found) return found;
  }
  return undefined;
}
