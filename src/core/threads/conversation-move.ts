import { nativeThreadKey } from "../keys/conversation-key.ts";
import type { StoreState } from "../model.ts";
import type { MergePatch } from "../ports.ts";

/** A record field whose entries name the conversation they belong to. */
type ByConversation = "journal" | "notices" | "outbox";

/**
 * The change that moves everything kept under conversation `from` to `to`, when a platform gives a
 * conversation a new id (Telegram upgrades a group to a supergroup): its binding, the native topics
 * opened in it, turns in flight, notices and undelivered messages. A binding `to` already has is kept
 * (someone bound the new chat first). Undefined when nothing is kept under `from`.
 */
export function conversationMovePatch(
  state: Readonly<StoreState>,
  from: string,
  to: string,
): MergePatch<StoreState> | undefined {
  const patch: Record<string, Record<string, unknown>> = {};
  const set = (field: string, key: string, value: unknown) => {
    patch[field] ??= {};
    patch[field][key] = value;
  };
  const binding = state.bindings[from];
  if (binding) {
    set("bindings", from, null);
    if (!state.bindings[to]) set("bindings", to, binding);
  }
  for (const [key, native] of Object.entries(state.nativeThreads)) {
    const parts = nativeThreadKey.decode(key);
    const conversation = native.conversation === from ? to : native.conversation;
    if (parts?.container === from) {
      set("nativeThreads", key, null);
      set("nativeThreads", nativeThreadKey.encode(to, parts.slug), { ...native, conversation });
    } else if (conversation !== native.conversation) {
      set("nativeThreads", key, { conversation });
    }
  }
  for (const field of ["journal", "notices", "outbox"] as const satisfies readonly ByConversation[]) {
    for (const [key, entry] of Object.entries(state[field])) {
      if (entry.conversation === from) set(field, key, { conversation: to });
    }
  }
  return Object.keys(patch).length === 0 ? undefined : (patch as MergePatch<StoreState>);
}
