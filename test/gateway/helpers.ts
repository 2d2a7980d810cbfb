import { WebSocket } from "ws";
import type { GatewayEvent, Logger } from "../../src/core/ports.ts";
import { createOpenClawGateway, type OpenClawGateway, type OpenClawGatewayOptions } from "../../src/gateway/index.ts";
import type { FakeOpenClawGateway } from "../fakes/fake-gateway.ts";

/** A token distinctive enough to grep for in log lines. */
export const TOKEN = "tk-Secret-9f3c2a7e51";

/** A logger that keeps every line (level, message, fields as JSON). */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const write =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push(
        `${level} ${message} ${JSON.stringify(fields ?? {}, (_k, v) => (v instanceof Error ? v.message : v))}`,
      );
    };
  return { logger: { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") }, lines };
}

/** A client for `gw` with fast reconnects, recording its events. */
export function clientFor(
  gw: FakeOpenClawGateway,
  options: Partial<OpenClawGatewayOptions> = {},
): { client: OpenClawGateway; events: GatewayEvent[] } {
  const client = createOpenClawGateway({
    url: gw.url,
    token: gw.token,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    ...options,
  });
  const events: GatewayEvent[] = [];
  client.on((event) => events.push(event));
  return { client, events };
}

/** Resolves with the first event (from now on) that matches. */
export function nextEvent<T extends GatewayEvent["type"]>(
  client: OpenClawGateway,
  type: T,
  match: (event: Extract<GatewayEvent, { type: T }>) => boolean = () => true,
  timeoutMs = 5000,
): Promise<Extract<GatewayEvent, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${type} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on((event) => {
      if (event.type !== type) return;
      const typed = event as Extract<GatewayEvent, { type: T }>;
      if (!match(typed)) return;
      clearTimeout(timer);
      off();
      resolve(typed);
    });
  });
}

/** Waits until `check()` is true (polling every 10 ms). */
export async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A bare protocol client (no reconnects), for checking what the fake sends to other kinds of clients. */
export async function rawClient(url: string, token: string, caps: string[]) {
  const ws = new WebSocket(url);
  const events: { event: string; payload: Record<string, unknown> }[] = [];
  const replies = new Map<string, (frame: Record<string, unknown>) => void>();
  let next = 0;
  ws.on("message", (data) => {
    const frame = JSON.parse(String(data)) as Record<string, unknown>;
    if (frame.type === "event") events.push({ event: String(frame.event), payload: frame.payload as never });
    if (frame.type === "res") replies.get(String(frame.id))?.(frame);
  });
  const request = (method: string, params: unknown) =>
    new Promise<Record<string, unknown>>((resolve) => {
      next += 1;
      replies.set(String(next), resolve);
      ws.send(JSON.stringify({ type: "req", id: String(next), method, params }));
    });
  await new Promise((resolve) => ws.once("open", resolve));
  const client = { id: "gateway-client", mode: "backend", version: "1", platform: "linux" };
  const hello = await request("connect", { minProtocol: 4, maxProtocol: 4, client, caps, auth: { token } });
  return { ws, events, request, hello, close: () => ws.terminate() };
}
