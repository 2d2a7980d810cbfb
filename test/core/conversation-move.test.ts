import { describe, expect, it } from "vitest";
import { emptyState, type StoreState } from "../../src/core/model.ts";
import { conversationMovePatch } from "../../src/core/threads/conversation-move.ts";
import { MemoryStore } from "../../src/store/index.ts";

const OLD = "telegram:-4001";
const NEW = "telegram:-1004242";
const OTHER = "telegram:101";

function entry(conversation: string, turnId: string) {
  const at = { createdAt: 1, seq: 1 };
  return {
    turnId,
    slug: "budget",
    sessionKey: "agent:main:named:budget",
    conversation,
    senderId: "telegram:1",
    text: "hi",
    kind: "message" as const,
    ...at,
  };
}

/** A store with something of every kind under OLD, and the same kinds elsewhere. */
function state(): StoreState {
  return {
    ...emptyState(),
    bindings: {
      [OLD]: { slug: "budget", boundAt: 1, boundBy: "telegram:1" },
      [OTHER]: { slug: "budget", boundAt: 2, boundBy: "telegram:1" },
    },
    nativeThreads: {
      [`${OLD}|roadmap`]: { conversation: `${OLD}:topic:7`, createdAt: 1 },
      [`${OTHER}|budget`]: { conversation: OLD, createdAt: 1 },
    },
    journal: { a: entry(OLD, "a"), b: entry(OTHER, "b") },
    notices: {
      n1: {
        id: "n1",
        kind: "resume",
        slug: "budget",
        turnId: "a",
        conversation: OLD,
        createdAt: 1,
        state: "open",
        messageId: "9",
      },
    },
    outbox: {
      o1: {
        id: "o1",
        conversation: OLD,
        text: "notice",
        buttons: [],
        createdAt: 1,
        seq: 1,
        attempts: 0,
        nextAttemptAt: 0,
      },
      o2: {
        id: "o2",
        conversation: OTHER,
        text: "notice",
        buttons: [],
        createdAt: 1,
        seq: 2,
        attempts: 0,
        nextAttemptAt: 0,
      },
    },
  };
}

describe("conversationMovePatch", () => {
  it("moves the binding, native threads, turns, notices and undelivered messages; leaves everything else", async () => {
    const store = new MemoryStore(state());
    const patch = conversationMovePatch(store.state, OLD, NEW);
    expect(patch).toBeDefined();
    await store.update(patch ?? {});
    const moved = store.state;
    expect(Object.keys(moved.bindings).sort()).toEqual([NEW, OTHER].sort());
    expect(moved.bindings[NEW]).toEqual(state().bindings[OLD]);
    // A topic opened inside the old chat keeps its own conversation key (topics do not survive an upgrade
    // anyway); the key naming its container moves.
    expect(moved.nativeThreads).toEqual({
      [`${NEW}|roadmap`]: { conversation: `${OLD}:topic:7`, createdAt: 1 },
      [`${OTHER}|budget`]: { conversation: NEW, createdAt: 1 },
    });
    expect(moved.journal.a?.conversation).toBe(NEW);
    expect(moved.journal.b?.conversation).toBe(OTHER);
    expect(moved.notices.n1).toMatchObject({ conversation: NEW, messageId: "9", state: "open" });
    expect(moved.outbox.o1?.conversation).toBe(NEW);
    expect(moved.outbox.o2?.conversation).toBe(OTHER);
  });

  it("keeps a binding the new conversation already has, and is undefined once nothing is left to move", async () => {
    const before = state();
    before.bindings[NEW] = { slug: "roadmap", boundAt: 3, boundBy: "telegram:2" };
    const store = new MemoryStore(before);
    await store.update(conversationMovePatch(store.state, OLD, NEW) ?? {});
    expect(store.state.bindings[NEW]?.slug).toBe("roadmap");
    expect(store.state.bindings[OLD]).toBeUndefined();
    expect(conversationMovePatch(store.state, OLD, NEW)).toBeUndefined();
  });
});
