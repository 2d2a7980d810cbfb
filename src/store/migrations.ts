import { BotError, ErrorCode } from "../core/errors.ts";
import { type StoreState, StoreStateSchema } from "../core/model.ts";
import { isPlainObject } from "./merge-patch.ts";

/**
 * Store file migrations. A file carries its `version` (a file without one is version
 * 0, the shape before `nativeThreads` and the `seq` counter existed; version 2 writes
 * records as columns, see columns.ts). On open, an older file is replayed with its own
 * log, migrated step by step on the raw JSON tree, then validated as a whole against
 * the current StoreStateSchema; the store keeps a copy of the pre-migration file and
 * writes the migrated one at once, so the log never mixes versions.
 *
 * The file's version numbers the file; the state's own `version` (StoreStateSchema,
 * core/model.ts) numbers the state's shape. They were one number until version 2,
 * which changed only how records are written, so the state stays at its version 1.
 */

/** The version this threadkeeper writes. Bump it with the file's layout or the schema, and add a migration. */
export const STORE_VERSION = 2;

/** The state's own `version`, as StoreStateSchema requires it. */
export const STATE_VERSION: StoreState["version"] = StoreStateSchema.shape.version.value;

/** Turns a raw file tree of version N into version N + 1; validation happens after the last step. */
export type Migration = (raw: Record<string, unknown>) => Record<string, unknown>;

/** Version 0 had no native thread records and no ordering counter. */
function fromV0(raw: Record<string, unknown>): Record<string, unknown> {
  let seq = 0;
  for (const record of [raw.journal, raw.outbox]) {
    if (!isPlainObject(record)) continue;
    for (const entry of Object.values(record)) {
      if (isPlainObject(entry) && typeof entry.seq === "number") seq = Math.max(seq, entry.seq);
    }
  }
  return { ...raw, version: 1, seq, nativeThreads: {} };
}

/**
 * Version 2 changed only the file's layout (records as columns), which the reader
 * undoes before any migration runs: the tree of a version 1 file is already the state.
 */
function fromV1(raw: Record<string, unknown>): Record<string, unknown> {
  return { ...raw, version: STATE_VERSION };
}

/** The migration from each version to the next, keyed by the version it starts from. */
export const migrations: Readonly<Record<number, Migration>> = {
  0: fromV0,
  1: fromV1,
};

/** The version a raw file tree declares (0 when absent), or undefined when it is not a version number. */
export function fileVersion(raw: Record<string, unknown>): number | undefined {
  if (raw.version === undefined) return 0;
  return Number.isSafeInteger(raw.version) && (raw.version as number) >= 0 ? (raw.version as number) : undefined;
}

/**
 * Migrates a raw tree from version `from` to STORE_VERSION; throws BotError(STORE_CORRUPT)
 * naming the missing step (the caller adds which file).
 */
export function migrate(raw: Record<string, unknown>, from: number): Record<string, unknown> {
  let tree = raw;
  for (let version = from; version < STORE_VERSION; version++) {
    const step = migrations[version];
    if (step === undefined) {
      throw new BotError(ErrorCode.StoreCorrupt, `no migration from version ${version} to ${version + 1}`);
    }
    tree = step(tree);
  }
  return tree;
}
