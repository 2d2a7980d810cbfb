import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update } from "grammy/types";
import { z } from "zod";
import { BotError, ErrorCode, isBotError } from "../../core/errors.ts";
import type { Logger } from "../../core/ports.ts";
import type { UpdateQueue } from "./update-queue.ts";

/** Telegram updates are a few KB; anything near this is not one. */
export const MAX_UPDATE_BYTES = 1024 * 1024;

/** Why a listen address could not be bound, in words. */
const BIND_ERRORS: Record<string, string> = {
  EADDRINUSE: "the address is in use (another process listens there)",
  EADDRNOTAVAIL: "this machine has no such address",
  EACCES: "not allowed to bind it (ports under 1024 need privileges)",
  ENOTFOUND: "no such host",
};

/** Where the server listens. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** What the webhook server needs. */
export interface WebhookServerOptions {
  /** The path Telegram posts to (the path of TELEGRAM_WEBHOOK_URL). */
  path: string;
  /** The secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (never logged). */
  secret: string;
  listen: ListenAddress;
  queue: UpdateQueue;
  logger: Logger;
  /** Extra fields for the health answer (e.g. whether this process handles updates). */
  health?: (() => Record<string, unknown>) | undefined;
}

// Loose on purpose: the handlers read what they need; only the id is ours to check.
const UpdateBodySchema = z.looseObject({ update_id: z.number().int().nonnegative() });

/** A request refused with `status` (a BotError like every other refusal; the status rides in details). */
function refusal(status: number, message: string): BotError {
  return new BotError(ErrorCode.BadInput, message, { details: { httpStatus: status } });
}

/** The HTTP status a refusal carries, if `error` is one. */
function refusedWith(error: unknown): number | undefined {
  const status = isBotError(error, ErrorCode.BadInput) ? error.details?.httpStatus : undefined;
  return typeof status === "number" ? status : undefined;
}

/**
 * The HTTP end of webhook mode, on node:http. grammY's webhookCallback does not fit: it answers
 * 200 after running the bot's middleware, and here an update must be answered only once the queue
 * has recorded it durably (503 otherwise, so Telegram delivers it again), with a 400 for a body that
 * is no update, a 413 past 1 MB and a constant-time secret check, none of which it offers.
 */
export class WebhookServer {
  /** The path served; settable until the first request (the URL may be known only once bound). */
  path: string;
  readonly #options: WebhookServerOptions;
  readonly #server: Server;
  readonly #secret: Buffer;

  constructor(options: WebhookServerOptions) {
    this.#options = options;
    this.path = options.path;
    this.#secret = Buffer.from(options.secret, "utf8");
    this.#server = createServer((req, res) => void this.#serve(req, res));
    // Telegram sends small bodies at once; a client that trickles is not Telegram.
    this.#server.requestTimeout = 10_000;
  }

  /** Binds the listen address; rejects with CONFIG naming it when that fails (port taken, bad host). */
  async start(): Promise<ListenAddress> {
    const { host, port } = this.#options.listen;
    await new Promise<void>((resolve, reject) => {
      const fail = (error: NodeJS.ErrnoException) => {
        const why = BIND_ERRORS[error.code ?? ""] ?? error.message;
        reject(new BotError(ErrorCode.Config, `TELEGRAM_WEBHOOK_LISTEN ${host}:${port}: ${why}`, { cause: error }));
      };
      this.#server.once("error", fail);
      this.#server.listen(port, host, () => {
        this.#server.off("error", fail);
        resolve();
      });
    });
    return this.address ?? { host, port };
  }

  /** The address bound (undefined before start). */
  get address(): ListenAddress | undefined {
    const address = this.#server.address() as AddressInfo | null;
    return address ? { host: this.#options.listen.host, port: address.port } : undefined;
  }

  /** Stops taking requests and closes the connections. */
  async stop(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    await closed;
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path === "/healthz" && req.method === "GET")
        return answer(res, 200, { ok: true, ...this.#options.health?.() });
      if (path !== this.path) return answer(res, 404, { ok: false });
      if (req.method !== "POST") return answer(res, 405, { ok: false });
      await this.#take(req);
      answer(res, 200);
    } catch (error) {
      const status = refusedWith(error);
      if (status !== undefined) return answer(res, status, { ok: false, error: (error as Error).message });
      this.#options.logger.warn("telegram: webhook update not recorded, Telegram will send it again", {
        error: error instanceof Error ? error.message : String(error),
      });
      answer(res, 503, { ok: false, error: "not recorded" });
    }
  }

  /** Checks and records one update; resolves once it is durable. */
  async #take(req: IncomingMessage): Promise<void> {
    if (!this.#authorized(req.headers["x-telegram-bot-api-secret-token"])) throw refusal(401, "unauthorized");
    const body = await readBody(req);
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      throw refusal(400, "body is not JSON");
    }
    const parsed = UpdateBodySchema.safeParse(json);
    if (!parsed.success) throw refusal(400, "body is not an update");
    const fresh = await this.#options.queue.put(parsed.data as unknown as Update);
    if (!fresh) this.#options.logger.debug("telegram: webhook redelivery", { updateId: parsed.data.update_id });
  }

  #authorized(header: string | string[] | undefined): boolean {
    if (typeof header !== "string") return false;
    const given = Buffer.from(header, "utf8");
    // timingSafeEqual needs equal lengths; comparing with itself keeps the time the same either way.
    return (
      timingSafeEqual(given.length === this.#secret.length ? given : this.#secret, this.#secret) &&
      given.length === this.#secret.length
    );
  }
}

/** The body, refused with 413 past MAX_UPDATE_BYTES (by its declared length, or as it arrives). */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  if (Number(req.headers["content-length"] ?? 0) > MAX_UPDATE_BYTES) throw refusal(413, "too large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_UPDATE_BYTES) throw refusal(413, "too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function answer(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent || res.destroyed) return;
  // A refused request's unread body is not worth reading: the connection goes with the answer.
  if (status >= 400 && !res.req.complete) res.setHeader("connection", "close");
  if (body === undefined) {
    res.writeHead(status, { "content-length": "0" });
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}
