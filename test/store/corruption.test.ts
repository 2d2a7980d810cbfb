import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BotError, ErrorCode } from "../../src/core/errors.ts";
import type { Binding, Thread } from "../../src/core/model.ts";
import { openJsonStore } from "../../src/store/json-store.ts";
import { makeBinding, makeThread, readSnapshotFile, tempDir, writeSnapshotFile } from "./helpers.ts";

let dir: string;
let cleanup: () => Promise<void>;
let path: string;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  path = join(dir, "threads.json");
});
afterEach(() => cleanup());

/** A closed store with two threads and its .bak, plus `extra` changes left in the log. */
async function seed(extra = 0): Promise<void> {
  const store = await openJsonStore({ path });
  await store.update({ threads: { "thread-1": makeThread(1) }, bindings: { "telegram:1": makeBinding(1) } });
  await store.update({ threads: { "thread-2": makeThread(2) } });
  await store.close();
  if (extra === 0) return;
  const again = await openJsonStore({ path });
  for (let i = 0; i < extra; i++) await again.update({ threads: { "thread-1": { messageCount: i + 1 } } });
  await crash(again);
}

/** Leaves the files as a crash at this instant would: what close() folds into the snapshot stays in the log. */
async function crash(store: { close(): Promise<void> }): Promise<void> {
  const onDisk = await files();
  await store.close();
  await writeFile(path, onDisk.snapshot!);
  await writeFile(`${path}.log`, onDisk.log!);
  await writeFile(`${path}.bak`, onDisk.backup!);
}

async function files(): Promise<Record<string, Buffer | null>> {
  const read = (file: string) => readFile(file).catch(() => null);
  return { snapshot: await read(path), log: await read(`${path}.log`), backup: await read(`${path}.bak`) };
}

/** Opens, expects STORE_CORRUPT, and checks that no file was changed and the lock is gone. */
async function expectCorrupt(pattern: RegExp): Promise<BotError> {
  const before = await files();
  const error = (await openJsonStore({ path }).catch((e: unknown) => e)) as BotError;
  expect(error).toMatchObject({ name: "BotError", code: ErrorCode.StoreCorrupt });
  expect(error.message).toMatch(pattern);
  expect(await files()).toEqual(before); // byte-identical, the last good copy included
  expect(existsSync(`${path}.lock`)).toBe(false);
  return error;
}

describe("a corrupt store stops the bot and is never overwritten", () => {
  it("snapshot that is not JSON: names the file, the problem and the last good copy", async () => {
    await seed();
    const text = await readFile(path, "utf8");
    await writeFile(path, text.slice(0, text.length / 2));
    const error = await expectCorrupt(/not valid JSON/);
    expect(error.message).toContain(path);
    expect(error.message).toContain(`The last good copy is ${path}.bak`);
  });

  it("snapshot that fails the schema: prettified zod issues with the path", async () => {
    await seed();
    const snapshot = await readSnapshotFile(path);
    (snapshot.threads as Record<string, Thread>)["thread-2"]!.messageCount = -1;
    delete (snapshot.bindings as Record<string, Partial<Binding>>)["telegram:1"]!.slug;
    await writeSnapshotFile(path, snapshot);
    const error = await expectCorrupt(/does not match the store schema/);
    expect(error.message).toContain('→ at threads["thread-2"].messageCount');
    expect(error.message).toContain('→ at bindings["telegram:1"].slug');
  });

  it("snapshot whose columns do not line up: names the record and the column", async () => {
    await seed();
    const snapshot = JSON.parse(await readFile(path, "utf8"));
    snapshot.threads.name.pop();
    await writeFile(path, JSON.stringify(snapshot));
    const error = await expectCorrupt(/"threads" column "name" has 1 values for 2 keys/);
    expect(error.message).toContain(path);
  });

  it("snapshot missing a whole record field", async () => {
    await seed();
    const snapshot = JSON.parse(await readFile(path, "utf8"));
    delete snapshot.outbox;
    await writeFile(path, JSON.stringify(snapshot));
    await expectCorrupt(/→ at outbox/);
  });

  it("a snapshot whose logSeq is not a seq", async () => {
    await seed();
    const snapshot = JSON.parse(await readFile(path, "utf8"));
    await writeFile(path, JSON.stringify({ ...snapshot, logSeq: -1 }));
    await expectCorrupt(/→ at logSeq/);
  });

  it("a snapshot from a newer version", async () => {
    await seed();
    const snapshot = JSON.parse(await readFile(path, "utf8"));
    await writeFile(path, JSON.stringify({ ...snapshot, version: 7 }));
    await expectCorrupt(/version 7 is newer/);
  });

  it("a missing snapshot beside a log with changes", async () => {
    await seed(2);
    await rm(path);
    await expectCorrupt(/missing, but its log/);
  });

  it("a bad line that is not the last", async () => {
    await seed(3);
    const lines = (await readFile(`${path}.log`, "utf8")).split("\n");
    lines[1] = lines[1]!.replace('"patch"', '"ptach"');
    await writeFile(`${path}.log`, lines.join("\n"));
    const error = await expectCorrupt(/line 2: ✖ Invalid input: expected record, received undefined → at patch/);
    expect(error.message).toContain(`${path}.log`);
  });

  it("a complete last line that is not JSON", async () => {
    await seed(2);
    await writeFile(`${path}.log`, `${await readFile(`${path}.log`, "utf8")}{"seq":5,"pat\n`);
    await expectCorrupt(/line 3: not JSON/);
  });

  it("a gap in the seqs", async () => {
    await seed(3);
    const lines = (await readFile(`${path}.log`, "utf8")).split("\n");
    await writeFile(`${path}.log`, [lines[0], lines[2], ""].join("\n"));
    await expectCorrupt(/seq 5 does not follow seq 3/);
  });

  it("a log that starts after the snapshot's seq", async () => {
    await seed(3);
    const lines = (await readFile(`${path}.log`, "utf8")).split("\n");
    await writeFile(`${path}.log`, [lines[1], lines[2], ""].join("\n"));
    await expectCorrupt(/snapshot ends at seq 2 but the log continues at seq 4/);
  });

  it("a log line whose patch breaks the schema", async () => {
    await seed(1);
    await writeFile(`${path}.log`, '{"seq":3,"patch":{"threads":{"thread-1":{"state":"sleeping"}}}}\n');
    await expectCorrupt(/line 1 \(seq 3\) cannot be applied[\s\S]*threads\["thread-1"\]\.state/);
  });
});

describe("what is not corruption", () => {
  it("a torn last line (crash mid-append) is dropped, and cut before the next append", async () => {
    await seed(2);
    const log = await readFile(`${path}.log`, "utf8");
    await writeFile(`${path}.log`, `${log}{"seq":5,"patch":{"threads":{"thread-1":{"messag`);
    const store = await openJsonStore({ path });
    expect(store.state.threads["thread-1"]?.messageCount).toBe(2);
    expect(await readFile(`${path}.log`, "utf8")).toBe(log);
    await store.update({ threads: { "thread-1": { messageCount: 9 } } });
    await crash(store);
    const again = await openJsonStore({ path });
    expect(again.state.threads["thread-1"]?.messageCount).toBe(9);
    await again.close();
  });

  it("a log whose lines all precede the snapshot's seq is emptied before appending", async () => {
    await seed(2);
    const log = (await readFile(`${path}.log`, "utf8")).split("\n");
    const store = await openJsonStore({ path });
    await store.close(); // snapshot at seq 4
    await writeFile(`${path}.log`, `${log[0]}\n`); // only seq 3 left, as if 4 went straight into the snapshot
    const again = await openJsonStore({ path });
    await again.update({ seq: 10 });
    await crash(again);
    const last = await openJsonStore({ path });
    expect(last.state.seq).toBe(10);
    expect(last.state.threads["thread-1"]?.messageCount).toBe(2);
    await last.close();
  });

  it("an empty log without a snapshot is a new store", async () => {
    await writeFile(`${path}.log`, "");
    const store = await openJsonStore({ path });
    expect(store.state.threads).toEqual({});
    await store.close();
  });
});
