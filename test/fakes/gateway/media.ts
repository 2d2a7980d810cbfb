import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** A file the fake model attaches to its reply (the real agent writes `MEDIA:<path>` for a workspace file). */
export interface ReplyMedia {
  fileName: string;
  mimeType: string;
  bytes: Buffer;
}

interface Stored extends ReplyMedia {
  path: string;
}

/**
 * OpenClaw's managed outgoing media as docs/openclaw-agent-loop.md shows it: each file a reply sends
 * gets `/api/chat/media/outgoing/<encoded session key>/<uuid>/full` on the gateway's own HTTP port,
 * served only with `Authorization: Bearer <token>` (401 otherwise, `?token=` included).
 */
export class FakeMediaRoute {
  readonly #files = new Map<string, Stored>();
  readonly #token: string;
  /** Every request the route answered, for tests. */
  readonly requests: { path: string; status: number }[] = [];

  constructor(token: string) {
    this.#token = token;
  }

  /** Registers a reply's file; returns the transcript part OpenClaw writes for it. */
  add(sessionKey: string, media: ReplyMedia): Record<string, unknown> {
    const path = `/api/chat/media/outgoing/${encodeURIComponent(sessionKey)}/${randomUUID()}/full`;
    this.#files.set(path, { ...media, path });
    const image = media.mimeType.startsWith("image/");
    const fields = { url: path, mimeType: media.mimeType, sizeBytes: media.bytes.length };
    if (image)
      return { type: "image", artifactId: `artifact_managed_image_${randomUUID()}`, alt: media.fileName, ...fields };
    return { type: "attachment", attachment: { kind: "document", label: media.fileName, ...fields } };
  }

  /** The HTTP side: true when it answered the request. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    const path = (request.url ?? "").split("?")[0] ?? "";
    if (!path.startsWith("/api/chat/media/")) return false;
    const status = this.#status(request, path);
    this.requests.push({ path, status });
    if (status !== 200) {
      const body =
        status === 401 ? { error: { message: "Unauthorized", type: "unauthorized" } } : { error: "not found" };
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      return true;
    }
    const file = this.#files.get(path) as Stored;
    response
      .writeHead(200, { "content-type": file.mimeType, "content-length": String(file.bytes.length) })
      .end(file.bytes);
    return true;
  }

  #status(request: IncomingMessage, path: string): number {
    if (request.headers.authorization !== `Bearer ${this.#token}`) return 401;
    return this.#files.has(path) ? 200 : 404;
  }
}
