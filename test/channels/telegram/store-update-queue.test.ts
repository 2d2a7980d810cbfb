import { join } from "node:path";
import type { Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { StoreUpdateQueue, TOMBSTONE_MS } from "../../../src/channels/telegram/store-update-queue.ts";
import { MemoryStore, openJsonStore } from "../../../src/store/index.ts";
import { tempDir } from "../../store/helpers.ts";
import { GatedStore } from "./support/webhook.ts";

const update = (id: number, text = `m${id}`) =>
  ({ update_id: id, message: { message_id: id, date: 1, chat: { id: 1, type: "private" }, text } }) as Update;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe("StoreUpdateQueue (the JSON store's UpdateQueue)", () => {
  it("records each update_id once and gives pending updates back lowest id first", async () => {
    const queue = new StoreUpdateQueue({ store: new MemoryStore() });
    let puts = 0;
    const unsubscribe = queue.onPut(() => puts++);
    expect(await queue.put(update(12))).toBe(true);
    expect(await queue.put(update(10))).toBe(true);
    expect(await queue.put(update(11))).toBe(true);
    expect(await queue.put(update(10, "redelivered"))).toBe(false);
    expect(puts).toBe(3);
    expect((await queue.pending(10)).map((u) => u.update_id)).toEqual([10, 11, 12]);
    expect((await queue.pending(2)).map((u) => u.update_id)).toEqual([10, 11]);
    expect((await queue.pending(1))[0]?.message?.text).toBe("m10");
    await queue.done(10);
    expect((await queue.pending(10)).map((u) => u.update_id)).toEqual([11, 12]);
    expect(await queue.put(update(10))).toBe(false);
    unsubscribe();
    await queue.put(update(13));
    expect(puts).toBe(3);
  });

  it("keeps done ids for a day, then forgets them", async () => {
    let now = 1_000_000;
    const store = new MemoryStore();
    const queue = new StoreUpdateQueue({ store, clock: { now: () => now } });
    await queue.put(update(1));
    await queue.done(1);
    expect(store.state.telegramUpdates["1"]).toEqual({ receivedAt: 1_000_000, doneAt: 1_000_000 });
    now += TOMBSTONE_MS - 1000;
    await queue.put(update(2));
    await queue.done(2);
    expect(await queue.put(update(1))).toBe(false);
    now += 2 * 60_000;
    await queue.put(update(3));
    await queue.done(3);
    expect(Object.keys(store.state.telegramUpdates).sort()).toEqual(["2", "3"]);
  });

  it("resolves put only once the store's write is durable; a redelivery meanwhile waits for it", async () => {
    const store = new GatedStore();
    const queue = new StoreUpdateQueue({ store });
    store.held = true;
    const settled: string[] = [];
    const first = queue.put(update(5)).then((fresh) => settled.push(`first ${fresh}`));
    const second = queue.put(update(5)).then((fresh) => settled.push(`second ${fresh}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toEqual([]);
    store.release();
    await Promise.all([first, second]);
    expect(settled.sort()).toEqual(["first true", "second false"]);
  });

  it("rejects a put whose write failed, and writes it again on redelivery", async () => {
    const store = new GatedStore();
    const queue = new StoreUpdateQueue({ store });
    store.failing = 1;
    await expect(queue.put(update(7))).rejects.toThrow(/disk full/);
    const before = store.inner.patches.length;
    expect(await queue.put(update(7))).toBe(false);
    expect(store.inner.patches.length).toBe(before + 1);
    expect((await queue.pending(10)).map((u) => u.update_id)).toEqual([7]);
  });

  it("survives a restart of the JSON store: pending updates and tombstones are on disk", async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const path = join(dir, "threads.json");
    const store = await openJsonStore({ path });
    const queue = new StoreUpdateQueue({ store });
    for (const id of [3, 1, 2]) await queue.put(update(id));
    await queue.done(1);
    await store.close();
    const reopened = await openJsonStore({ path });
    const again = new StoreUpdateQueue({ store: reopened });
    expect((await again.pending(10)).map((u) => [u.update_id, u.message?.text])).toEqual([
      [2, "m2"],
      [3, "m3"],
    ]);
    expect(await again.put(update(1))).toBe(false);
    await reopened.close();
    // And once more, from the compacted snapshot (columns) rather than the change log.
    const third = await openJsonStore({ path });
    expect(Object.keys(third.state.telegramUpdates).sort()).toEqual(["1", "2", "3"]);
    await third.close();
  });
});
