import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { sleep } from "./protocol.ts";

/** Plumbing of the fake server: fault injection, waiting for conditions, sockets. */

/** What a faulted call does instead of its normal answer. */
export interface FaultSpec {
  /** Answer with this ErrorShape. */
  error?: { code: string; message: string; details?: unknown; retryable?: boolean; retryAfterMs?: number };
  /** Never answer (the client's timeout fires). */
  noReply?: boolean;
  /** Answer this late (normally, unless `error`/`noReply`). */
  delayMs?: number;
}

/** Faults queued per method, consumed one call at a time. */
export class Faults {
  readonly #queue: { method: string; spec: FaultSpec; left: number }[] = [];

  /** Queues a fault for the next `times` calls of `method`. */
  add(method: string, spec: FaultSpec, times: number): void {
    this.#queue.push({ method, spec, left: times });
  }

  /** The fault for this call of `method`, if any. */
  take(method: string): FaultSpec | undefined {
    const entry = this.#queue.find((item) => item.method === method);
    if (!entry) return undefined;
    entry.left -= 1;
    if (entry.left <= 0) this.#queue.splice(this.#queue.indexOf(entry), 1);
    return entry.spec;
  }
}

/** Resolves waits when the fake's state changes (every request, event and connection notifies). */
export class Watchers {
  readonly #checks = new Set<() => void>();

  /** Re-checks every pending wait. */
  notify(): void {
    for (const check of [...this.#checks]) check();
  }

  /** Resolves with `find()` once it is defined; rejects after `timeoutMs`. */
  until<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#checks.delete(check);
      };
      const check = (): void => {
        const value = find();
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`fake gateway: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#checks.add(check);
    });
  }

  /** True if `promise` settles within `ms`, false otherwise (the timer never outlives the race). */
  async within(promise: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([promise.then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Listens on 127.0.0.1:`port` (0 = any free port); retries briefly when re-binding the same port. */
export async function listen(
  port: number,
  onHttp: (request: IncomingMessage, response: ServerResponse) => void = (_, response) => response.writeHead(426).end(),
): Promise<{ wss: WebSocketServer; http: Server; port: number }> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      // One HTTP server for both, as on the real gateway: WebSocket upgrades and its HTTP routes (media).
      const http = createServer(onHttp);
      await new Promise<void>((resolve, reject) => {
        http.once("listening", resolve);
        http.once("error", reject);
        http.listen(port, "127.0.0.1");
      });
      const wss = new WebSocketServer({ server: http });
      return { wss, http, port: (http.address() as AddressInfo).port };
    } catch (error) {
      // Coming back on the same port right after closing it can race the kernel.
      if (attempt >= 40 || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
      await sleep(50);
    }
  }
}

/** Closes (or terminates) sockets and resolves when all are closed. */
export async function closeAll(
  sockets: Iterable<WebSocket>,
  how: { code: number; reason: string } | "terminate",
): Promise<void> {
  const closing = [...sockets].map(
    (ws) =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once("close", () => resolve());
        if (how === "terminate") return ws.terminate();
        ws.close(how.code, how.reason);
        // A client that never answers the close frame must not hold the restart.
        setTimeout(() => ws.terminate(), 1000).unref();
      }),
  );
  await Promise.all(closing);
}
