import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Binding, StoreState, Thread } from "../../src/core/model.ts";
import { decodeColumns, recordCodecs } from "../../src/store/columns.ts";
import { STORE_VERSION } from "../../src/store/migrations.ts";
import { serializeSnapshot } from "../../src/store/snapshot-file.ts";

/** A fresh temp directory; call the returned cleanup in afterEach. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "threadkeeper-store-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A realistic thread record. */
export function makeThread(i: number, overrides: Partial<Thread> = {}): Thread {
  const slug = `thread-${i}`;
  return {
    slug,
    name: `Thread ${i}`,
    agentId: "main",
    sessionKey: `agent:main:named:${slug}`,
    label: `Thread ${i}`,
    createdAt: 1_700_000_000_000 + i,
    createdBy: `telegram:${1000 + i}`,
    lastActivityAt: 1_700_000_000_000 + i,
    messageCount: 0,
    state: "idle",
    ...overrides,
  };
}

/** A binding of a Telegram chat to thread `i`. */
export function makeBinding(i: number): Binding {
  return { slug: `thread-${i}`, boundAt: 1_700_000_000_000 + i, boundBy: `telegram:${1000 + i}` };
}

/**
 * A snapshot file's contents with its records as plain entries (version 2 writes them
 * as columns), for tests that look into or edit the file.
 */
export async function readSnapshotFile(path: string): Promise<Record<string, unknown>> {
  const tree = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  if (tree.version !== STORE_VERSION) return tree;
  const decoded = decodeColumns(tree);
  if (typeof decoded === "string") throw new Error(decoded);
  return tree;
}

/** Writes `tree` (plain records, maybe invalid ones) as the bot writes a snapshot file. */
export async function writeSnapshotFile(path: string, tree: Record<string, unknown>): Promise<void> {
  const { logSeq, ...state } = tree;
  const snapshot = { logSeq: logSeq as number, state: state as unknown as StoreState };
  await writeFile(path, [...serializeSnapshot(snapshot, { version: STORE_VERSION, codecs: recordCodecs })].join(""));
}
