import { resolve } from "node:path";
import { BotError, ErrorCode } from "../core/errors.ts";

/** The files of one store, all beside the snapshot. */
export interface StorePaths {
  /** The lowdb JSON snapshot (STORE_PATH). */
  snapshot: string;
  /** Append-only log of changes since the snapshot. */
  log: string;
  /** Copy of the last snapshot known good (after each open and compaction). */
  backup: string;
  /** Pid lock. */
  lock: string;
}

/** The store's files for STORE_PATH `path` (made absolute, so one store has one lock name). */
export function storePaths(path: string): StorePaths {
  const snapshot = resolve(path);
  return { snapshot, log: `${snapshot}.log`, backup: `${snapshot}.bak`, lock: `${snapshot}.lock` };
}

/** Where a pre-migration copy of a version-`version` file goes. */
export function migrationBackupPath(path: string, version: number): string {
  return `${path}.v${version}.bak`;
}

/** The snapshot cannot be used: names the file, the problem and the last good copy. */
export function corruptSnapshot(paths: StorePaths, problem: string, hasBackup: boolean, cause?: unknown): BotError {
  const recovery = hasBackup
    ? `The last good copy is ${paths.backup}; copying it over ${paths.snapshot} restores the store ` +
      `(the changes in ${paths.log} are replayed on top of it).`
    : `There is no good copy yet (${paths.backup} does not exist).`;
  return new BotError(
    ErrorCode.StoreCorrupt,
    `Store file ${paths.snapshot} is corrupt: ${problem}\n` +
      `The bot did not start and left the file untouched. ${recovery}`,
    { cause, details: { file: paths.snapshot, backup: hasBackup ? paths.backup : undefined } },
  );
}

/** The log cannot be replayed: names the file and the bad line. */
export function corruptLog(paths: StorePaths, problem: string): BotError {
  return new BotError(
    ErrorCode.StoreCorrupt,
    `Store log ${paths.log} is corrupt: ${problem}\n` +
      `The bot did not start and left the file untouched. The snapshot ${paths.snapshot} is not affected; ` +
      "the changes from the bad line on cannot be replayed. Repair or remove those lines to start without them.",
    { details: { file: paths.log } },
  );
}
