import { paramsOf } from "./protocol.ts";
import { Watchers } from "./support.ts";
import type { RecordedEvent, RecordedRequest } from "./types.ts";

/** What the fake saw and sent, with ways to wait for it; the base of FakeOpenClawGateway. */
export class Recorder {
  /** Every request frame received, connect included, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Every event broadcast, in order (ticks and challenges are not recorded). */
  readonly events: RecordedEvent[] = [];
  /** Pending waits; notified on every request, event and connection. */
  protected readonly watchers = new Watchers();

  /** Requests of one method, in order. */
  requestsOf(method: string): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method);
  }

  /** Every session key the bot sent (key, sessionKey, parentSessionKey params), raw as sent. */
  sentSessionKeys(): string[] {
    const keys: string[] = [];
    for (const { params } of this.requests) {
      const p = paramsOf(params);
      for (const name of ["key", "sessionKey", "parentSessionKey"]) {
        if (typeof p[name] === "string") keys.push(p[name] as string);
      }
    }
    return keys;
  }

  /** idempotencyKey of every chat.send, in order (a key sent twice appears twice). */
  sentIdempotencyKeys(): string[] {
    return this.requestsOf("chat.send").map((request) => String(paramsOf(request.params).idempotencyKey));
  }

  /** Resolves with the first request (index ≥ `after`) of `method` whose params match. */
  waitForRequest(
    method: string,
    match: (params: Record<string, unknown>) => boolean = () => true,
    options: { after?: number; timeoutMs?: number } = {},
  ): Promise<RecordedRequest> {
    const find = () =>
      this.requests.slice(options.after ?? 0).find((r) => r.method === method && match(paramsOf(r.params)));
    return this.watchers.until(find, options.timeoutMs ?? 5000, `request ${method}`);
  }

  /** Resolves with the first broadcast event (index ≥ `after`) named `event` whose payload matches. */
  waitForEvent(
    event: string,
    match: (payload: Record<string, unknown>) => boolean = () => true,
    options: { after?: number; timeoutMs?: number } = {},
  ): Promise<RecordedEvent> {
    const find = () => this.events.slice(options.after ?? 0).find((e) => e.event === event && match(e.payload));
    return this.watchers.until(find, options.timeoutMs ?? 5000, `event ${event}`);
  }
}
