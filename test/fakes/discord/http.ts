import type { IncomingMessage, ServerResponse } from "node:http";
import { isMultipart, parseMultipart, readRaw } from "../multipart.ts";

// An upload a little over the 10 MB limit must still be read whole, to be refused like Discord does.
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** A parsed REST request as a route handler sees it. */
export interface FakeRequest {
  method: string;
  /** Path below /api/v10, percent-decoded per segment (discord.js sends `%40original`). */
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are whatever the client sent
  body: any;
  authorization: string | undefined;
}

/** What a handler answers; a 204 is written without any content type, as Discord does. */
export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A REST call the fake received, for tests to assert on. */
export interface RecordedCall {
  method: string;
  path: string;
  /** The route pattern that handled it, or undefined for a miss. */
  route: string | undefined;
  query: Record<string, string>;
  body: unknown;
  status: number;
  at: number;
}

/** An injected failure: the next `times` matching calls get `status` (429 with retry-after by default). */
export interface Fault {
  method?: string;
  path: RegExp | string;
  status?: number;
  /** Seconds, sent in the `retry-after` header and the JSON body. */
  retryAfter?: number;
  global?: boolean;
  times?: number;
}

/** A route handler. */
export type Handler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

interface Route {
  method: string;
  pattern: string;
  segments: string[];
  auth: boolean;
  handler: Handler;
}

/** JSON answer. */
export function json(body: unknown, status = 200): FakeResponse {
  return { status, body };
}

/** 204, no body, no content type. */
export function noContent(): FakeResponse {
  return { status: 204 };
}

/** 413/40005: a file over the upload limit (Discord's JSON error for it). */
export function tooLarge(): FakeResponse {
  return apiError(413, 40005, "Request entity too large");
}

/** A Discord JSON error body (`{code, message}`), e.g. 404/10003 Unknown Channel. */
export function apiError(status: number, code: number, message: string, errors?: unknown): FakeResponse {
  return { status, body: { code, message, ...(errors === undefined ? {} : { errors }) } };
}

/** 400/50035 for a content longer than Discord's 2000 characters. */
export function tooLong(): FakeResponse {
  return apiError(400, 50035, "Invalid Form Body", {
    content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }] },
  });
}

/** The 429 Discord sends: `retry-after` header (seconds) and `{message, retry_after, global}`. */
export function rateLimited(fault: Fault): FakeResponse {
  const retryAfter = fault.retryAfter ?? 0.05;
  return {
    status: 429,
    headers: { "retry-after": String(retryAfter), ...(fault.global ? { "x-ratelimit-global": "true" } : {}) },
    body: { message: "You are being rate limited.", retry_after: retryAfter, global: fault.global ?? false },
  };
}

/** A method + path router with `:param` segments. */
export class Router {
  readonly #routes: Route[] = [];

  /** Adds a route; `auth: false` for interaction callbacks and webhooks, which carry no bot token. */
  add(method: string, pattern: string, handler: Handler, options: { auth?: boolean } = {}): this {
    this.#routes.push({ method, pattern, segments: pattern.split("/"), auth: options.auth ?? true, handler });
    return this;
  }

  /** The route and its params for a request, if any. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    const parts = path.split("/");
    for (const route of this.#routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = route.segments.every((segment, i) => {
        const part = parts[i] ?? "";
        if (segment.startsWith(":")) params[segment.slice(1)] = part;
        return segment.startsWith(":") ? part.length > 0 : segment === part;
      });
      if (ok) return { route, params };
    }
    return undefined;
  }
}

/**
 * Reads a request body: JSON-parsed (empty → undefined), or for an upload (multipart/form-data)
 * its `payload_json` with the files as `_files`.
 */
export async function readBody(request: IncomingMessage): Promise<unknown> {
  const { body = Buffer.alloc(0) } = await readRaw(request, MAX_BODY_BYTES);
  const contentType = request.headers["content-type"];
  if (isMultipart(contentType)) {
    const { fields, files } = parseMultipart(body, contentType ?? "");
    return { ...(JSON.parse(fields.payload_json ?? "{}") as Record<string, unknown>), _files: files };
  }
  const text = body.toString("utf8");
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return { _raw: text };
  }
}

/** Writes a FakeResponse; JSON gets its content type, a body-less answer gets none. */
export function writeResponse(response: ServerResponse, answer: FakeResponse): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.body === undefined || answer.status === 204) {
    response.writeHead(answer.status, headers);
    response.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  headers["content-type"] = "application/json";
  response.writeHead(answer.status, headers);
  response.end(text);
}

/** True when a fault applies to this call. */
export function faultMatches(fault: Fault, method: string, path: string): boolean {
  if (fault.method && fault.method !== method) return false;
  return typeof fault.path === "string" ? fault.path === path : fault.path.test(path);
}
