/**
 * High-resolution timestamps taken inside the in-process fake gateway: when a `chat.send` frame
 * arrives (right after it is parsed, before it is handled) and when a run's terminal `chat` event
 * is broadcast (before it is serialized to each connection). Installed by wrapping the push of the
 * fake's own request and event records, so the fake itself is not changed.
 */
import type { FakeOpenClawGateway, RecordedEvent, RecordedRequest } from "../../test/fakes/fake-gateway.ts";

/** What the stamps saw, by idempotency key / run id (they are the same for our turns). */
export interface GatewayStamps {
  /** performance.now() at arrival of the chat.send carrying this idempotencyKey. */
  readonly chatSendAt: Map<string, number>;
  /** performance.now() when the final/error/aborted `chat` event of this runId was broadcast. */
  readonly endAt: Map<string, number>;
  /** Number of chat.send frames received. */
  chatSends: number;
  /** Called on each chat.send arrival (after it was stamped). */
  onChatSend: ((key: string, at: number) => void) | undefined;
  /** Forgets everything stamped so far (keeps memory flat over long runs). */
  clear(): void;
}

const TERMINAL = new Set(["final", "error", "aborted"]);

/** Installs the stamps on a fake gateway; they stay for its lifetime. */
export function stampGateway(gw: FakeOpenClawGateway, options: { keepRecords?: boolean } = {}): GatewayStamps {
  const keep = options.keepRecords ?? true;
  const stamps: GatewayStamps = {
    chatSendAt: new Map(),
    endAt: new Map(),
    chatSends: 0,
    onChatSend: undefined,
    clear() {
      stamps.chatSendAt.clear();
      stamps.endAt.clear();
    },
  };
  const requests = gw.requests;
  const pushRequest = requests.push.bind(requests);
  requests.push = (...items: RecordedRequest[]): number => {
    const at = performance.now();
    for (const item of items) {
      if (item.method !== "chat.send") continue;
      const key = String((item.params as { idempotencyKey?: unknown } | undefined)?.idempotencyKey);
      stamps.chatSends++;
      stamps.chatSendAt.set(key, at);
      stamps.onChatSend?.(key, at);
    }
    return keep ? pushRequest(...items) : requests.length;
  };
  const events = gw.events;
  const pushEvent = events.push.bind(events);
  events.push = (...items: RecordedEvent[]): number => {
    const at = performance.now();
    for (const item of items) {
      if (item.event === "chat" && TERMINAL.has(String(item.payload.state))) {
        stamps.endAt.set(String(item.payload.runId), at);
      }
    }
    return keep ? pushEvent(...items) : events.length;
  };
  return stamps;
}
