import type { JournalEntry } from "../model.ts";
import type { GatewayEvent, StorePort } from "../ports.ts";

type ToolEvent = Extract<GatewayEvent, { type: "tool" }>;

/** What marking a turn sent to `bootId` changes: the entry's mark, the thread's state, a fresh checkpoint. */
export function sentPatch(entry: JournalEntry, bootId: string, now: number) {
  return {
    entry: { sentBootId: bootId, sentAt: now },
    thread: { state: "running" as const },
    checkpoints: {
      [entry.slug]: {
        sessionKey: entry.sessionKey,
        task: entry.text,
        turnId: entry.turnId,
        toolCalls: [],
        updatedAt: now,
        status: "running" as const,
        lastToolCall: null,
        nextAction: null,
      },
    },
  };
}

/** Records a tool call that started in the thread's checkpoint: its last step and the list of steps. */
export function recordToolCall(store: StorePort, slug: string, event: ToolEvent, now: number): void {
  const checkpoint = store.state.checkpoints[slug];
  const call = { name: event.name, args: event.args, at: now };
  const toolCalls = [...(checkpoint?.toolCalls ?? []), call].slice(-20);
  // A merge patch would merge these args into the previous call's: drop that call first.
  void store.update({ checkpoints: { [slug]: { lastToolCall: null } } });
  void store.update({ checkpoints: { [slug]: { lastToolCall: call, toolCalls, updatedAt: call.at } } });
}
