import { nativeThreadKey } from "../keys/conversation-key.ts";
import type { StoreState } from "../model.ts";
import type { MergePatch } from "../ports.ts";

/** `{ [key]: null }` for every entry of `record` that `drop` picks. */
function nullsWhere<T>(record: Readonly<Record<string, T>>, drop: (key: string, value: T) => boolean) {
  return Object.fromEntries(
    Object.entries(record)
      .filter(([key, value]) => drop(key, value))
      .map(([key]) => [key, null]),
  );
}

/**
 * What a deleted thread leaves in the store, as one patch: the thread, its bindings, the topics
 * opened for it, its checkpoint, notices (and their undelivered outbox items), approvals shown for
 * it, its journal, and every alias that reached it, so the name is free again.
 */
export function deletionPatch(state: Readonly<StoreState>, slug: string): MergePatch<StoreState> {
  const notices = nullsWhere(state.notices, (_, n) => n.slug === slug);
  return {
    threads: { [slug]: null },
    bindings: nullsWhere(state.bindings, (_, b) => b.slug === slug),
    nativeThreads: nullsWhere(state.nativeThreads, (key) => nativeThreadKey.decode(key)?.slug === slug),
    checkpoints: { [slug]: null },
    notices,
    outbox: nullsWhere(state.outbox, (_, item) => item.noticeId !== undefined && item.noticeId in notices),
    approvals: nullsWhere(state.approvals, (_, a) => a.slug === slug),
    journal: nullsWhere(state.journal, (_, e) => e.slug === slug),
    aliases: nullsWhere(state.aliases, (_, a) => a.slug === slug),
  };
}

/**
 * What a reset thread forgets: its checkpoint and open notices belong to the old history (a Resume
 * would continue a task the agent no longer knows); the name, key and bindings stay.
 */
export function resetPatch(state: Readonly<StoreState>, slug: string, now: number): MergePatch<StoreState> {
  const open = Object.values(state.notices).filter((n) => n.slug === slug && n.state === "open");
  return {
    threads: { [slug]: { state: "idle", messageCount: 0, lastActivityAt: now } },
    checkpoints: { [slug]: null },
    notices: Object.fromEntries(open.map((n) => [n.id, { state: "void" as const }])),
  };
}
