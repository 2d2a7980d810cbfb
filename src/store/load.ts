import { access } from "node:fs/promises";
import { Low } from "lowdb";
import { z } from "zod";
import { isBotError } from "../core/errors.ts";
import type { StoreState } from "../core/model.ts";
import { emptyState } from "../core/model.ts";
import { decodeColumns, recordCodecs } from "./columns.ts";
import type { LogContents, LogEntry } from "./log-file.ts";
import { readLog } from "./log-file.ts";
import { isPlainObject, mergePatchInPlace } from "./merge-patch.ts";
import { fileVersion, migrate, STATE_VERSION, STORE_VERSION } from "./migrations.ts";
import type { StorePaths } from "./paths.ts";
import { corruptLog, corruptSnapshot } from "./paths.ts";
import type { Snapshot } from "./snapshot-file.ts";
import { SnapshotFile, serializeSnapshot } from "./snapshot-file.ts";
import { applyValidatedPatch, validateState } from "./validate.ts";

/** A store as found on disk, validated and replayed. */
export interface LoadedStore {
  /** lowdb over the snapshot file; `data` is what the next compaction writes. */
  low: Low<Snapshot | null>;
  state: StoreState;
  /** Seq of the last change in `state` (snapshot or log). */
  lastSeq: number;
  /** The log as read (null when absent). */
  log: LogContents | null;
  /** Neither file existed: `low.data` is a new empty store that is not on disk yet. */
  created: boolean;
  /** The file's version when it was older than STORE_VERSION (and got migrated in memory). */
  migratedFrom: number | undefined;
  /** Log lines applied on top of the snapshot. */
  replayed: number;
  /** Threads in `state` (counted while decoding where it could be: 100,000 keys are 15 ms to count again). */
  threads: number;
}

/**
 * Loads the snapshot (through lowdb's Low and a SnapshotFile whose hooks run JSON.parse,
 * migrations and zod) and replays the log lines after the snapshot's seq. Writes
 * nothing. Throws BotError(STORE_CORRUPT) naming the file and the problem.
 */
export async function loadStore(paths: StorePaths): Promise<LoadedStore> {
  const hasBackup = await exists(paths.backup);
  const log = await readLog(paths.log);
  if (log !== null && "problem" in log) throw corruptLog(paths, log.problem);
  const entries = log?.entries ?? [];
  let decoded: Decoded | undefined;
  const low = new Low<Snapshot | null>(
    new SnapshotFile<Snapshot>(paths.snapshot, {
      parse: (text) => parseJson(text, paths, hasBackup),
      validate: (raw) => {
        decoded = decodeSnapshot(raw, entries, paths, hasBackup);
        return decoded.snapshot;
      },
      serialize: (snapshot) => serializeSnapshot(snapshot, { version: STORE_VERSION, codecs: recordCodecs }),
    }),
    null,
  );
  await low.read();
  if (low.data === null || decoded === undefined) return newStore(low, paths, log);
  const { state, logSeq } = low.data;
  if (decoded.migratedFrom !== undefined) {
    const { migratedFrom, replayed } = decoded;
    const threads = Object.keys(state.threads).length;
    return { low, state, lastSeq: logSeq, log, created: false, migratedFrom, replayed, threads };
  }
  const fresh = entries.filter((entry) => entry.seq > logSeq);
  replay(state, logSeq, fresh, paths);
  const lastSeq = fresh.at(-1)?.seq ?? logSeq;
  const threads =
    fresh.length === 0 && decoded.threads !== undefined ? decoded.threads : Object.keys(state.threads).length;
  return { low, state, lastSeq, log, created: false, migratedFrom: undefined, replayed: fresh.length, threads };
}

function newStore(low: Low<Snapshot | null>, paths: StorePaths, log: LogContents | null): LoadedStore {
  if (log !== null && log.goodBytes + log.tornBytes > 0) {
    throw corruptSnapshot(paths, `the file is missing, but its log ${paths.log} holds changes`, false);
  }
  low.data = { logSeq: 0, state: emptyState() };
  return {
    low,
    state: low.data.state,
    lastSeq: 0,
    log,
    created: true,
    migratedFrom: undefined,
    replayed: 0,
    threads: 0,
  };
}

function parseJson(text: string, paths: StorePaths, hasBackup: boolean): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw corruptSnapshot(paths, `not valid JSON (${(error as Error).message})`, hasBackup, error);
  }
}

/** The snapshot's own field beside the state: the last log seq folded into it. */
const SnapshotMetaSchema = z.object({ logSeq: z.number().int().nonnegative().default(0) });

/** A snapshot as decoded; an older file comes back migrated, with its log already folded in. */
interface Decoded {
  snapshot: Snapshot;
  migratedFrom: number | undefined;
  /** Log lines folded in before migrating. */
  replayed: number;
  /** Threads in the snapshot, when decoding counted them. */
  threads: number | undefined;
}

type Corrupt = (problem: string, cause?: unknown) => Error;

/** Checks version and logSeq, migrates an older file (after replaying its own log raw), validates. */
function decodeSnapshot(raw: unknown, entries: readonly LogEntry[], paths: StorePaths, hasBackup: boolean): Decoded {
  const corrupt: Corrupt = (problem, cause) => corruptSnapshot(paths, problem, hasBackup, cause);
  if (!isPlainObject(raw)) throw corrupt("the top level is not a JSON object");
  const version = fileVersion(raw);
  if (version === undefined) throw corrupt(`"version" is not a version number`);
  if (version > STORE_VERSION) {
    throw corrupt(`version ${version} is newer than this threadkeeper reads (${STORE_VERSION}); run a newer release`);
  }
  const meta = SnapshotMetaSchema.safeParse(raw);
  if (!meta.success) throw corrupt(z.prettifyError(meta.error));
  delete raw.logSeq;
  if (version < STORE_VERSION)
    return decodeOlder({ tree: raw, version, logSeq: meta.data.logSeq, entries, paths }, corrupt);
  const columns = decodeColumns(raw);
  if (typeof columns === "string") throw corrupt(columns);
  raw.version = STATE_VERSION; // the file's version numbers the file (migrations.ts)
  const state = validOrThrow(raw, columns.checked, "", corrupt);
  const threads = columns.sizes.get("threads");
  return { snapshot: { logSeq: meta.data.logSeq, state }, migratedFrom: undefined, replayed: 0, threads };
}

/** The log was written against the old shape: replay it raw, then migrate the result. */
function decodeOlder(
  older: {
    tree: Record<string, unknown>;
    version: number;
    logSeq: number;
    entries: readonly LogEntry[];
    paths: StorePaths;
  },
  corrupt: Corrupt,
): Decoded {
  const { version, paths } = older;
  const fresh = older.entries.filter((entry) => entry.seq > older.logSeq);
  checkContinues(older.logSeq, fresh, paths);
  let tree = older.tree;
  for (const entry of fresh) tree = mergePatchInPlace(tree, entry.patch) as Record<string, unknown>;
  const logSeq = fresh.at(-1)?.seq ?? older.logSeq;
  const replayed = fresh.length;
  tree = migrateOrThrow(tree, version, corrupt);
  const note = ` after migration from version ${version}${replayed > 0 ? ` and ${replayed} log lines` : ""}`;
  const state = validOrThrow(tree, new Set(), note, corrupt);
  return { snapshot: { logSeq, state }, migratedFrom: version, replayed, threads: undefined };
}

function validOrThrow(tree: unknown, checked: ReadonlySet<string>, note: string, corrupt: Corrupt): StoreState {
  const result = validateState(tree, checked);
  if ("issues" in result) throw corrupt(`it does not match the store schema${note}:\n${result.issues.format()}`);
  return result.state;
}

function migrateOrThrow(tree: Record<string, unknown>, version: number, corrupt: Corrupt): Record<string, unknown> {
  try {
    return migrate(tree, version);
  } catch (error) {
    if (isBotError(error)) throw corrupt(`cannot migrate version ${version}: ${error.message}`, error);
    throw error;
  }
}

/** The first line after the snapshot must be the very next seq, or changes went missing. */
function checkContinues(logSeq: number, fresh: readonly LogEntry[], paths: StorePaths): void {
  const first = fresh[0];
  if (first !== undefined && first.seq !== logSeq + 1) {
    throw corruptLog(
      paths,
      `line ${first.line}: the snapshot ends at seq ${logSeq} but the log continues at seq ${first.seq}`,
    );
  }
}

function replay(state: StoreState, logSeq: number, fresh: readonly LogEntry[], paths: StorePaths): void {
  checkContinues(logSeq, fresh, paths);
  for (const entry of fresh) {
    try {
      applyValidatedPatch(state, entry.patch);
    } catch (error) {
      if (!isBotError(error)) throw error;
      throw corruptLog(paths, `line ${entry.line} (seq ${entry.seq}) cannot be applied: ${error.message}`);
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
