import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/core/errors.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { makeThread } from "./helpers.ts";

describe("MemoryStore", () => {
  it("starts from a seed and merges like the JSON store", async () => {
    const store = new MemoryStore({ threads: { "thread-1": makeThread(1) } });
    await Promise.all([
      store.update({ threads: { "thread-1": { label: "Renamed" } } }),
      store.update({ threads: { "thread-1": { messageCount: 4 } } }),
    ]);
    expect(store.state.threads["thread-1"]).toEqual({ ...makeThread(1), label: "Renamed", messageCount: 4 });
    expect(store.patches).toHaveLength(2);
  });

  it("refuses an invalid patch and changes nothing", async () => {
    const store = new MemoryStore();
    await expect(store.update({ threads: { x: { slug: "x" } } })).rejects.toMatchObject({ code: ErrorCode.BadInput });
    expect(store.state.threads).toEqual({});
    expect(store.patches).toEqual([]);
  });

  it("stores a copy, not the caller's objects", async () => {
    const store = new MemoryStore();
    const thread = makeThread(1);
    await store.update({ threads: { "thread-1": thread } });
    thread.name = "changed later";
    expect(store.state.threads["thread-1"]?.name).toBe("Thread 1");
  });

  it("refuses updates after close", async () => {
    const store = new MemoryStore();
    await store.flush();
    await store.close();
    await expect(store.update({ seq: 1 })).rejects.toThrow(/closed/);
  });
});
