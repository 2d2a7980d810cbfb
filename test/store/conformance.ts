/**
 * The store port's conformance suite, one for every implementation (the JSON store, the Postgres
 * store): what the core relies on, whatever keeps the state. Each implementation's test file calls
 * `storeConformance` with a way to open its store on one durable place, and to open it again there
 * (a reopen sees exactly what was acknowledged).
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/core/errors.ts";
import { emptyState } from "../../src/core/model.ts";
import type { StorePort } from "../../src/core/ports.ts";
import { makeBinding, makeThread } from "./helpers.ts";

export interface StoreUnderTest {
  /** Opens the store on a fresh, empty place, and returns a reopen of that same place. */
  fresh(): Promise<{ store: StorePort; reopen: () => Promise<StorePort> }>;
  /** Durable writes (appends, transactions) made so far by `store`. */
  writes(store: StorePort): number;
}

/**
 * Reads in whatever these tests write (threads thread-0…999, chats telegram:0…999), as the bot's entry
 * points do before they read: a store that reads threads on demand (Postgres) then holds them too.
 */
async function loadWritten(store: StorePort): Promise<StorePort> {
  const ids = Array.from({ length: 1000 }, (_, i) => i);
  await store.load({ names: ids.map((i) => `thread-${i}`), conversations: ids.map((i) => `telegram:${i}`) });
  return store;
}

export function storeConformance(name: string, subject: StoreUnderTest): void {
  describe(`store conformance: ${name}`, () => {
    it("starts from the empty state", async () => {
      const { store } = await subject.fresh();
      expect(store.state).toEqual(emptyState());
      await store.close();
    });

    it("keeps every acknowledged change across a reopen, deletions included", async () => {
      const { store, reopen } = await subject.fresh();
      await store.update({ threads: { "thread-1": makeThread(1) }, bindings: { "telegram:1": makeBinding(1) } });
      await store.update({ threads: { "thread-1": { messageCount: 3 } }, gatewayBootId: "boot-a" });
      await store.update({ bindings: { "telegram:1": null }, seq: 4 });
      const expected = structuredClone(store.state);
      await store.close();
      const again = await loadWritten(await reopen());
      expect(again.state).toEqual(expected);
      expect(again.state.threads["thread-1"]?.messageCount).toBe(3);
      expect(again.state.bindings).toEqual({});
      expect(again.state.gatewayBootId).toBe("boot-a");
      await again.close();
    });

    it("applies a change in memory before update() returns", async () => {
      const { store } = await subject.fresh();
      const pending = store.update({ seq: store.state.seq + 1 });
      expect(store.state.seq).toBe(1);
      await pending;
      await store.close();
    });

    it("never drops a field when concurrent changes merge into one record", async () => {
      const { store, reopen } = await subject.fresh();
      await store.update({ threads: { "thread-1": makeThread(1) } });
      await Promise.all([
        store.update({ threads: { "thread-1": { label: "Budget (budget)" } } }),
        store.update({ threads: { "thread-1": { messageCount: 7 } } }),
        store.update({ threads: { "thread-1": { state: "running" } } }),
        store.update({ threads: { "thread-1": { parentSessionKey: "agent:main:root" } } }),
        store.update({ threads: { "thread-1": { lastActivityAt: 99 } } }),
      ]);
      const expected = {
        ...makeThread(1),
        label: "Budget (budget)",
        messageCount: 7,
        state: "running",
        parentSessionKey: "agent:main:root",
        lastActivityAt: 99,
      };
      expect(store.state.threads["thread-1"]).toEqual(expected);
      await store.close();
      const again = await loadWritten(await reopen());
      expect(again.state.threads["thread-1"]).toEqual(expected);
      await again.close();
    });

    it("coalesces a burst into few durable writes, each change durable when it resolves", async () => {
      const { store, reopen } = await subject.fresh();
      const before = subject.writes(store);
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          store.update({
            threads: { [`thread-${i}`]: makeThread(i) },
            bindings: { [`telegram:${i}`]: makeBinding(i) },
          }),
        ),
      );
      expect(subject.writes(store) - before).toBeLessThanOrEqual(3);
      await store.close();
      const again = await loadWritten(await reopen());
      expect(Object.keys(again.state.threads)).toHaveLength(1000);
      await again.close();
    });

    it("refuses an invalid patch whole, and writes nothing for it", async () => {
      const { store, reopen } = await subject.fresh();
      await store.update({ threads: { "thread-1": makeThread(1) } });
      const writes = subject.writes(store);
      const bad = store.update({ threads: { "thread-1": { messageCount: 2 }, "thread-2": { slug: "thread-2" } } });
      await expect(bad).rejects.toMatchObject({ code: ErrorCode.BadInput, message: /threads\["thread-2"\]\.name/ });
      await expect(store.update({ version: 2 } as never)).rejects.toMatchObject({ code: ErrorCode.BadInput });
      await expect(store.update({ nope: {} } as never)).rejects.toThrow(/unknown field "nope"/);
      expect(store.state.threads["thread-1"]?.messageCount).toBe(0);
      await store.flush();
      expect(subject.writes(store)).toBe(writes);
      await store.close();
      const again = await loadWritten(await reopen());
      expect(again.state.threads["thread-1"]?.messageCount).toBe(0);
      expect(again.state.threads["thread-2"]).toBeUndefined();
      await again.close();
    });

    it("applies zod defaults, and keeps held entries unchanged (entries are replaced)", async () => {
      const { store } = await subject.fresh();
      await store.update({
        checkpoints: { "thread-1": { sessionKey: "k", task: "t", turnId: "u", updatedAt: 1, status: "running" } },
      });
      const held = store.state.checkpoints["thread-1"];
      expect(held?.toolCalls).toEqual([]);
      await store.update({ checkpoints: { "thread-1": { status: "done" } } });
      expect(held?.status).toBe("running");
      expect(store.state.checkpoints["thread-1"]?.status).toBe("done");
      await store.close();
    });

    it("loads a conversation's thread with everything of it: bindings, native threads, aliases, checkpoint", async () => {
      const { store, reopen } = await subject.fresh();
      await store.update({
        threads: { "thread-1": makeThread(1), "thread-2": makeThread(2) },
        bindings: {
          "telegram:1": makeBinding(1),
          "telegram:-100:topic:7": makeBinding(1),
          "telegram:2": makeBinding(2),
        },
        nativeThreads: { "telegram:-100|thread-1": { conversation: "telegram:-100:topic:7", createdAt: 5 } },
        aliases: { "old-name": { slug: "thread-1", createdAt: 6 } },
        checkpoints: { "thread-1": { sessionKey: "k", task: "t", turnId: "u", updatedAt: 1, status: "done" } },
      });
      await store.close();
      const again = await reopen();
      await again.load({ conversations: ["telegram:1", "telegram:404"] });
      const { threads, bindings, nativeThreads, aliases, checkpoints } = again.state;
      expect(threads["thread-1"]).toEqual(makeThread(1));
      expect(bindings["telegram:1"]).toEqual(makeBinding(1));
      expect(bindings["telegram:-100:topic:7"]).toEqual(makeBinding(1));
      expect(bindings["telegram:404"]).toBeUndefined();
      expect(nativeThreads["telegram:-100|thread-1"]?.conversation).toBe("telegram:-100:topic:7");
      expect(aliases["old-name"]?.slug).toBe("thread-1");
      expect(checkpoints["thread-1"]?.status).toBe("done");
      await again.load({ names: ["old-name"], sessionKeys: ["agent:main:named:thread-2"] });
      expect(again.state.threads["thread-2"]).toEqual(makeThread(2));
      expect(again.state.bindings["telegram:2"]).toEqual(makeBinding(2));
      await again.close();
    });

    it("finds threads by a fragment of slug or name, most recently active first, unflushed changes included", async () => {
      const { store } = await subject.fresh();
      await store.update({
        threads: {
          "thread-1": makeThread(1, { name: "Budget Planning", lastActivityAt: 30 }),
          "thread-2": makeThread(2, { name: "Holiday", lastActivityAt: 20 }),
          "thread-3": makeThread(3, { name: "Budget 100%", lastActivityAt: 10 }),
        },
      });
      expect(await store.findThreads({ contains: "budget", limit: 10 })).toEqual(["thread-1", "thread-3"]);
      expect(await store.findThreads({ contains: "100%", limit: 10 })).toEqual(["thread-3"]);
      expect(await store.findThreads({ contains: "_", limit: 10 })).toEqual([]);
      expect(await store.findThreads({ contains: "", limit: 2 })).toEqual(["thread-1", "thread-2"]);
      const pending = store.update({ threads: { "thread-3": { lastActivityAt: 40 } } });
      expect(await store.findThreads({ contains: "thread", limit: 1 })).toEqual(["thread-3"]);
      await pending;
      await store.close();
    });

    it("a load never brings back what memory deleted meanwhile", async () => {
      const { store, reopen } = await subject.fresh();
      await store.update({ threads: { "thread-1": makeThread(1) }, bindings: { "telegram:1": makeBinding(1) } });
      await store.close();
      const again = await reopen();
      const loading = again.load({ conversations: ["telegram:1"] });
      const unbinding = again.update({ bindings: { "telegram:1": null } });
      await Promise.all([loading, unbinding]);
      expect(again.state.bindings["telegram:1"]).toBeUndefined();
      expect(again.state.threads["thread-1"]).toEqual(makeThread(1));
      await again.close();
    });

    it("refuses updates after close", async () => {
      const { store } = await subject.fresh();
      await store.close();
      await expect(store.update({ seq: 1 })).rejects.toThrow(/closed/);
      await store.close(); // idempotent
    });
  });
}
