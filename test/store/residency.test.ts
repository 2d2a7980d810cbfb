import { describe, expect, it } from "vitest";
import { emptyState, type StoreState } from "../../src/core/model.ts";
import { pinnedSlugs, Residency, slugOfRecord } from "../../src/store/postgres/residency.ts";
import { makeBinding, makeThread } from "./helpers.ts";

/** A state holding threads thread-0…n-1, each bound to telegram:i. */
function stateWith(n: number): StoreState {
  const state = emptyState();
  for (let i = 0; i < n; i++) {
    state.threads[`thread-${i}`] = makeThread(i);
    state.bindings[`telegram:${i}`] = makeBinding(i);
  }
  return state;
}

describe("Residency: which threads the Postgres store keeps in memory", () => {
  it("names the slug of each lazy record, and none of the others", () => {
    expect(slugOfRecord("threads", "budget", {})).toBe("budget");
    expect(slugOfRecord("checkpoints", "budget", {})).toBe("budget");
    expect(slugOfRecord("bindings", "telegram:1", { slug: "budget" })).toBe("budget");
    expect(slugOfRecord("aliases", "old-name", { slug: "budget" })).toBe("budget");
    expect(slugOfRecord("nativeThreads", "telegram:-100|budget", {})).toBe("budget");
    expect(slugOfRecord("nativeThreads", "not a key", {})).toBeNull();
    expect(slugOfRecord("journal", "t1", { slug: "budget" })).toBeNull();
  });

  it("asks Postgres only for what is not known, present or absent", () => {
    const state = stateWith(2);
    const residency = new Residency();
    const want = { conversations: ["telegram:0", "telegram:9"], names: ["thread-1"], sessionKeys: ["k"] };
    expect(residency.missing(want, state)).toEqual(want);
    residency.answered(residency.missing(want, state), ["thread-0", "thread-1"]);
    expect(residency.missing(want, state)).toEqual({ conversations: [], names: [], sessionKeys: ["k"] });
    expect(residency.missing({ sessionKeys: ["agent:main:named:thread-0"] }, state).sessionKeys).toEqual([]);
  });

  it("lets the least recently used go down to 90 % of the cap, never a pinned one nor one used lately", () => {
    let now = 0;
    const state = stateWith(12);
    const residency = new Residency(() => now);
    for (let i = 0; i < 12; i++) {
      now = i * 1_000;
      residency.answered({ conversations: [`telegram:${i}`], names: [], sessionKeys: [] }, [`thread-${i}`]);
    }
    residency.touch("thread-0"); // used again: the newest now
    now = 100_000;
    const gone = residency.evict(state, 10, new Set(["thread-1"]), 95_500);
    // 11 unpinned over a cap of 10: down to 9, oldest first, skipping the pinned thread-1.
    expect(gone).toBe(2);
    expect(Object.keys(state.threads)).not.toContain("thread-2");
    expect(Object.keys(state.threads)).not.toContain("thread-3");
    expect(Object.keys(state.threads)).toEqual(expect.arrayContaining(["thread-0", "thread-1", "thread-4"]));
    expect(state.bindings["telegram:2"]).toBeUndefined();
    expect(residency.has("thread-2")).toBe(false);
    // A conversation whose thread left is asked again; one whose thread stayed is not.
    const again = residency.missing({ conversations: ["telegram:2", "telegram:4"] }, state);
    expect(again.conversations).toEqual(["telegram:2"]);
    // Everything used in the last 95.5 s stays, whatever the count.
    expect(residency.evict(state, 0, new Set(), 95_500)).toBe(1); // thread-4, used at 4 s
    expect(residency.has("thread-5")).toBe(true);
  });

  it("pins the threads of turns, open notices, approvals and confirmations", () => {
    const state = emptyState();
    state.notices.n1 = {
      id: "n1",
      kind: "resume",
      slug: "open",
      turnId: "t",
      conversation: "c",
      createdAt: 1,
      state: "open",
    };
    state.notices.n2 = {
      id: "n2",
      kind: "resume",
      slug: "used",
      turnId: "t",
      conversation: "c",
      createdAt: 1,
      state: "used",
    };
    expect([...pinnedSlugs(state)]).toEqual(["open"]);
  });
});
