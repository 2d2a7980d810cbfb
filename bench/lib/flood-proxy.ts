/**
 * Telegram's flood limits in front of the fake Bot API (test/fakes/fake-telegram.ts does not model
 * them): an HTTP proxy on 127.0.0.1 that forwards every call, except that a message-posting call past
 * 30 per rolling second overall, or past 1 per rolling second in one chat, is answered at once with
 * Telegram's 429 `{ok:false, error_code:429, parameters:{retry_after}}` (whole seconds, at least 1).
 * Only calls that reached the fake count against the limits. Every answered call is stamped.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Methods that post or change messages (what Telegram's flood limits are about). */
const LIMITED = new Set([
  "sendMessage",
  "editMessageText",
  "editMessageReplyMarkup",
  "copyMessage",
  "forwardMessage",
  "sendPhoto",
  "sendDocument",
]);

/** One call as the proxy answered it. */
export interface ProxiedCall {
  method: string;
  chatId: string | undefined;
  /** performance.now() when the answer was complete. */
  at: number;
  status: number;
  /** Request body as sent (JSON), for counting what was delivered. */
  params: Record<string, unknown>;
}

/** Limits; Telegram's by default. */
export interface FloodLimits {
  overallPerSecond: number;
  perChatPerSecond: number;
}

/** A running proxy. */
export class FloodProxy {
  readonly calls: ProxiedCall[] = [];
  /** Calls refused with 429. */
  refused = 0;
  readonly #server: Server;
  readonly #upstream: URL;
  readonly #limits: FloodLimits;
  readonly #overall: number[] = [];
  readonly #perChat = new Map<string, number[]>();

  private constructor(server: Server, upstream: string, limits: FloodLimits) {
    this.#server = server;
    this.#upstream = new URL(upstream);
    this.#limits = limits;
  }

  /** Starts a proxy to `upstream` (the fake's apiRoot). */
  static async start(upstream: string, limits: Partial<FloodLimits> = {}): Promise<FloodProxy> {
    const server = createServer();
    const proxy = new FloodProxy(server, upstream, { overallPerSecond: 30, perChatPerSecond: 1, ...limits });
    server.on("request", (req, res) => void proxy.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  /** The apiRoot to give the bot. */
  get apiRoot(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Closes the proxy and its connections. */
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = /\/([A-Za-z]+)$/.exec(new URL(req.url ?? "/", "http://x").pathname)?.[1] ?? "";
    let params: Record<string, unknown> = {};
    if ((req.headers["content-type"] ?? "").includes("application/json") && body.length > 0) {
      params = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    }
    const chatId = params.chat_id === undefined ? undefined : String(params.chat_id);
    const wait = LIMITED.has(method) ? this.#admit(chatId) : 0;
    if (wait > 0) {
      this.refused++;
      const retryAfter = Math.max(1, Math.ceil(wait / 1000));
      const answer = {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${retryAfter}`,
        parameters: { retry_after: retryAfter },
      };
      res.writeHead(429, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
      this.calls.push({ method, chatId, at: performance.now(), status: 429, params });
      return;
    }
    const upstream = request(
      {
        host: this.#upstream.hostname,
        port: this.#upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: this.#upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on("end", () => {
          this.calls.push({ method, chatId, at: performance.now(), status: answer.statusCode ?? 502, params });
        });
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on("close", () => upstream.destroy());
    upstream.end(body);
  }

  /** 0 when the call may go now (and counts it); else ms until it would be allowed. */
  #admit(chatId: string | undefined): number {
    const now = performance.now();
    const { overallPerSecond, perChatPerSecond } = this.#limits;
    while ((this.#overall[0] ?? now) <= now - 1000) this.#overall.shift();
    const chat = chatId === undefined ? [] : (this.#perChat.get(chatId) ?? []);
    while ((chat[0] ?? now) <= now - 1000) chat.shift();
    const overallWait = this.#overall.length >= overallPerSecond ? (this.#overall[0] ?? now) + 1000 - now : 0;
    const chatWait = chat.length >= perChatPerSecond ? (chat[0] ?? now) + 1000 - now : 0;
    const wait = Math.max(overallWait, chatWait);
    if (wait > 0) return wait;
    this.#overall.push(now);
    chat.push(now);
    if (chatId !== undefined) this.#perChat.set(chatId, chat);
    return 0;
  }
}
