import { BotError, ErrorCode } from "../core/errors.ts";
import { isPlainObject } from "./merge-patch.ts";

/**
 * Store file migrations. A file carries its schema `version` (a file without one is
 * version 0, the shape before `nativeThreads` and the `seq` counter existed). On open,
 * an older file is replayed with its own log, migrated step by step on the raw JSON
 * tree, then validated as a whole against the current StoreStateSchema; the store
 * keeps a copy of the pre-migration file and writes the migrated one at once, so the
 * log never mixes versions.
 */

/** The version StoreStateSchema describes. Bump it with the schema and add a migration. */
export const STORE_VERSION = 1;

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

/** The migration from each version to the next, keyed by the version it starts from. */
export const migrations: Readonly<Record<number, Migration>> = {
  0: fromV0,
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
