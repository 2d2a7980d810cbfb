import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/core/errors.ts";
import { emptyState } from "../../src/core/model.ts";
import { type JsonStore, openJsonStore } from "../../src/store/json-store.ts";
import { storeConformance } from "./conformance.ts";
import { makeBinding, makeThread, readSnapshotFile, tempDir } from "./helpers.ts";

let dir: string;
let cleanup: () => Promise<void>;
let path: string;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  path = join(dir, "data", "threads.json");
});
afterEach(() => cleanup());

storeConformance("JSON (lowdb snapshot + log)", {
  async fresh() {
    const open = () => openJsonStore({ path });
    return { store: await open(), reopen: open };
  },
  writes: (store) => (store as JsonStore).stats.appends,
});

describe("openJsonStore (what only the JSON store does)", () => {
  it("creates a new store file with the empty state", async () => {
    const store = await openJsonStore({ path });
    expect(store.state).toEqual(emptyState());
    expect(await readSnapshotFile(path)).toMatchObject({ version: 2, logSeq: 0, threads: {} });
    expect(existsSync(`${path}.lock`)).toBe(true);
    await store.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("keeps every change across a reopen (replayed from the log)", async () => {
    const store = await openJsonStore({ path });
    await store.update({ threads: { "thread-1": makeThread(1) }, bindings: { "telegram:1": makeBinding(1) } });
    await store.update({ threads: { "thread-1": { messageCount: 3 } }, gatewayBootId: "boot-a" });
    await store.update({ bindings: { "telegram:1": null } });
    const expected = structuredClone(store.state);
    // No close: the changes are only in the log, as after a crash.
    const reopened = await openJsonStore({ path: join(dir, "data", "..", "data", "threads.json"), now: () => 0 }).catch(
      (error: unknown) => error,
    );
    expect(reopened).toMatchObject({ code: ErrorCode.Config }); // still locked by `store`
    await store.close();
    const again = await openJsonStore({ path });
    expect(again.state).toEqual(expected);
    expect(again.state.threads["thread-1"]?.messageCount).toBe(3);
    expect(again.state.bindings).toEqual({});
    await again.close();
  });

  it("writes each acknowledged change to the log before update() resolves", async () => {
    const store = await openJsonStore({ path });
    for (let i = 1; i <= 5; i++) {
      await store.update({ threads: { [`thread-${i}`]: makeThread(i) } });
      const log = await readFile(`${path}.log`, "utf8");
      expect(log.trimEnd().split("\n").at(-1)).toContain(`"seq":${i},`);
    }
    await store.close();
  });

  it("a change appends one log line and leaves the snapshot alone", async () => {
    const store = await openJsonStore({ path });
    await store.update({ threads: { "thread-1": makeThread(1) } });
    await store.close();
    const again = await openJsonStore({ path });
    const snapshot = await readFile(path);
    const turn = { turnId: "t", slug: "thread-1", sessionKey: "k", conversation: "c", senderId: "s", text: "hi" };
    await again.update({ journal: { t: { ...turn, kind: "message", createdAt: 1, seq: 1 } }, seq: 1 });
    expect(await readFile(path)).toEqual(snapshot);
    const log = await readFile(`${path}.log`, "utf8");
    expect(log.split("\n")).toEqual([expect.stringMatching(/^\{"seq":2,"patch":\{"journal"/), ""]);
    await again.close();
  });

  it("coalesces a burst into few appends, each change durable when it resolves", async () => {
    const store = await openJsonStore({ path });
    const before = store.stats.appends;
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        store.update({ threads: { [`thread-${i}`]: makeThread(i) }, bindings: { [`telegram:${i}`]: makeBinding(i) } }),
      ),
    );
    expect(store.stats.appends - before).toBeLessThanOrEqual(3);
    expect(store.stats.durableSeq).toBe(1000);
    await store.close();
  });

  it("refuses an invalid patch whole, and writes nothing for it", async () => {
    const store = await openJsonStore({ path });
    await store.update({ threads: { "thread-1": makeThread(1) } });
    const bad = store.update({
      threads: { "thread-1": { messageCount: 2 }, "thread-2": { slug: "thread-2" } },
    });
    await expect(bad).rejects.toMatchObject({ code: ErrorCode.BadInput, message: /threads\["thread-2"\]\.name/ });
    await expect(store.update({ version: 2 } as never)).rejects.toMatchObject({ code: ErrorCode.BadInput });
    await expect(store.update({ nope: {} } as never)).rejects.toThrow(/unknown field "nope"/);
    expect(store.state.threads["thread-1"]?.messageCount).toBe(0);
    expect(store.stats.lastSeq).toBe(1);
    await store.close();
  });

  it("loads a file through the schema: defaults added, unknown keys dropped", async () => {
    const state = { ...emptyState(), logSeq: 0 } as Record<string, unknown>;
    const checkpoint = { sessionKey: "k", task: "t", turnId: "u", updatedAt: 1, status: "done", extra: true };
    state.checkpoints = { "thread-1": checkpoint };
    state.threads = { "thread-1": makeThread(1) };
    await mkdir(join(dir, "data"));
    await writeFile(path, JSON.stringify(state));
    const store = await openJsonStore({ path });
    expect(store.state.checkpoints["thread-1"]).toEqual({ ...checkpoint, extra: undefined, toolCalls: [] });
    expect(Object.keys(store.state.checkpoints["thread-1"] ?? {})).not.toContain("extra");
    expect(store.state.threads["thread-1"]).toEqual(makeThread(1));
    await store.close();
  });

  it("compacts past the threshold: snapshot holds everything, log is emptied, backup written", async () => {
    const store = await openJsonStore({ path, compactAfterLines: 10 });
    for (let i = 0; i < 25; i++) await store.update({ threads: { [`thread-${i}`]: makeThread(i) } });
    expect(store.stats.compactions).toBe(2);
    expect(store.stats.logLines).toBe(5);
    const snapshot = await readSnapshotFile(path);
    expect(snapshot.logSeq).toBe(20);
    expect(Object.keys(snapshot.threads as object)).toHaveLength(20);
    await store.close();
    expect((await readFile(`${path}.log`, "utf8")).length).toBe(0);
    const final = await readFile(path, "utf8");
    expect(JSON.parse(final).logSeq).toBe(25);
    expect(await readFile(`${path}.bak`, "utf8")).toBe(final);
    const reopened = await openJsonStore({ path });
    expect(Object.keys(reopened.state.threads)).toHaveLength(25);
    await reopened.close();
  });

  it("writes the snapshot's records as columns: one key per line, then one line per field", async () => {
    const store = await openJsonStore({ path });
    const b = makeThread(2, { slug: "b", label: undefined });
    await store.update({ threads: { a: makeThread(1, { slug: "a" }), b }, gatewayBootId: "boot" });
    await store.close();
    const lines = (await readFile(path, "utf8")).split("\n");
    expect(lines[0]).toBe('{"version":2,"logSeq":1,');
    expect(lines).toContain('"threads":{"keys":{');
    expect(lines).toContain('"a":0,');
    expect(lines).toContain('"b":1},');
    expect(lines).toContain('"slug":[0,0],'); // each slug is its entry's key
    expect(lines).toContain('"label":["Thread 1",null],'); // b has no label
    const reopened = await openJsonStore({ path });
    expect(reopened.state.threads.b).toEqual(b);
    expect(Object.keys(reopened.state.threads.b ?? {})).not.toContain("label");
    await reopened.close();
  });

  it("skips log lines the snapshot already holds (crash between rename and truncate)", async () => {
    const store = await openJsonStore({ path });
    for (let i = 1; i <= 3; i++) await store.update({ threads: { [`thread-${i}`]: makeThread(i) } });
    const log = await readFile(`${path}.log`, "utf8");
    await store.close(); // snapshot at seq 3, log emptied
    await writeFile(`${path}.log`, log); // as if the truncate never happened
    const reopened = await openJsonStore({ path });
    expect(reopened.stats.lastSeq).toBe(3);
    await reopened.update({ threads: { "thread-4": makeThread(4) } });
    await reopened.close();
    const last = await openJsonStore({ path });
    expect(Object.keys(last.state.threads)).toEqual(["thread-1", "thread-2", "thread-3", "thread-4"]);
    await last.close();
  });
});
