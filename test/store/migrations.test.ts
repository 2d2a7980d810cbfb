import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openJsonStore } from "../../src/store/json-store.ts";
import { fileVersion, migrate, migrations, STATE_VERSION, STORE_VERSION } from "../../src/store/migrations.ts";
import { readSnapshotFile, tempDir } from "./helpers.ts";

const fixture = new URL("./fixtures/store-v0.json", import.meta.url);
/**
 * Written by the version 1 store (records as one object per entry), kept byte for byte
 * (a .json name would have Biome reformat it).
 */
const fixtureV1 = new URL("./fixtures/store-v1.snapshot", import.meta.url);

let dir: string;
let cleanup: () => Promise<void>;
let path: string;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  path = join(dir, "threads.json");
  await copyFile(fixture, path);
});
afterEach(() => cleanup());

describe("migrations", () => {
  it("has a step from every older version to the current one", () => {
    for (let version = 0; version < STORE_VERSION; version++) expect(migrations[version]).toBeTypeOf("function");
  });

  it("reads a missing version as 0 and refuses a non-number", () => {
    expect(fileVersion({})).toBe(0);
    expect(fileVersion({ version: 1 })).toBe(1);
    expect(fileVersion({ version: "1" })).toBeUndefined();
  });

  it("v0 → v1 adds nativeThreads and a seq above every journal and outbox seq", () => {
    const v1 = migrate({ journal: { a: { seq: 41 } }, outbox: { b: { seq: 7 } } }, 0);
    expect(v1).toMatchObject({ version: 1, seq: 41, nativeThreads: {} });
  });

  it("v1 → v2 leaves the state as it is (only the file's layout changed)", () => {
    expect(migrate({ version: 1, seq: 3, threads: {} }, 1)).toEqual({ version: STATE_VERSION, seq: 3, threads: {} });
  });

  it("opens a v0 file: migrated, saved as the current version, the original kept beside it", async () => {
    const original = await readFile(path);
    const store = await openJsonStore({ path });
    expect(store.state.version).toBe(STATE_VERSION);
    expect(store.state.seq).toBe(41);
    expect(store.state.nativeThreads).toEqual({});
    expect(store.state.threads["budget-planning"]?.messageCount).toBe(12);
    expect(await readFile(`${path}.v0.bak`)).toEqual(original);
    expect(await readSnapshotFile(path)).toMatchObject({ version: STORE_VERSION, seq: 41, nativeThreads: {} });
    await store.close();
  });

  it("opens a v1 file: the same state, saved as columns, the original kept beside it", async () => {
    await copyFile(fixtureV1, path);
    const original = await readFile(path);
    const { logSeq: _, ...saved } = JSON.parse(original.toString("utf8"));
    // Record fields added since the fixture was written come in empty (their schema default).
    const expected = { aliases: {}, confirmations: {}, telegramUpdates: {}, ...saved };
    const store = await openJsonStore({ path });
    expect(store.state).toEqual(expected);
    expect(await readFile(`${path}.v1.bak`)).toEqual(original);
    const written = await readFile(path, "utf8");
    expect(written.startsWith('{"version":2,"logSeq":1,\n')).toBe(true);
    expect(written).toContain('"threads":{"keys":{\n"budget-planning":0,\n"t-3f9a1c":1},\n"slug":[0,0],');
    await store.close();
    const reopened = await openJsonStore({ path });
    expect(reopened.state).toEqual(expected);
    await reopened.close();
  });

  it("replays a v1 log on the v1 file before migrating it", async () => {
    await copyFile(fixtureV1, path);
    const lines = [
      { seq: 2, patch: { threads: { "t-3f9a1c": { messageCount: 4, state: "running" } } } },
      { seq: 3, patch: { bindings: { "discord:9:8": null } } },
    ];
    await writeFile(`${path}.log`, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
    const store = await openJsonStore({ path });
    expect(store.state.threads["t-3f9a1c"]).toMatchObject({ messageCount: 4, state: "running" });
    expect(Object.keys(store.state.bindings)).toEqual(["telegram:-1001:topic:7"]);
    expect(store.stats.logLines).toBe(0);
    await store.close();
    const reopened = await openJsonStore({ path });
    expect(reopened.state.threads["t-3f9a1c"]?.messageCount).toBe(4);
    await reopened.close();
  });

  it("replays a v0 log on the v0 file before migrating it", async () => {
    // Written by a v0 bot that crashed: the patches are in the v0 shape.
    const lines = [
      { seq: 1, patch: { threads: { "budget-planning": { messageCount: 13, state: "running" } } } },
      { seq: 2, patch: { bindings: { "discord:9:8": { slug: "budget-planning", boundAt: 1, boundBy: "discord:5" } } } },
    ];
    await writeFile(`${path}.log`, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
    const store = await openJsonStore({ path });
    expect(store.state.threads["budget-planning"]).toMatchObject({ messageCount: 13, state: "running" });
    expect(Object.keys(store.state.bindings)).toEqual(["telegram:-1001", "discord:9:8"]);
    expect(store.stats.logLines).toBe(0); // folded into the migrated snapshot
    expect((await readFile(`${path}.log.v0.bak`, "utf8")).split("\n")).toHaveLength(3);
    await store.update({ seq: 42 });
    await store.close();
    const reopened = await openJsonStore({ path });
    expect(reopened.state.seq).toBe(42);
    expect(reopened.state.threads["budget-planning"]?.messageCount).toBe(13);
    await reopened.close();
  });
});
