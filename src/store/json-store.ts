import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import type { Low } from "lowdb";
import type { StoreState } from "../core/model.ts";
import type { Logger, MergePatch, StorePort, StoreWant, ThreadQuery } from "../core/ports.ts";
import { copyFileDurable } from "./durable-fs.ts";
import type { LoadedStore } from "./load.ts";
import { loadStore } from "./load.ts";
import { acquireLock, type StoreLock } from "./lock.ts";
import { LogAppender } from "./log-file.ts";
import { migrationBackupPath, type StorePaths, storePaths } from "./paths.ts";
import { findResidentThreads } from "./resident.ts";
import type { Snapshot } from "./snapshot-file.ts";
import { applyValidatedPatch } from "./validate.ts";
import { Writer } from "./writer.ts";

/** Options of openJsonStore. */
export interface JsonStoreOptions {
  /** The snapshot file (STORE_PATH); `.log`, `.bak` and `.lock` go beside it. */
  path: string;
  logger?: Logger | undefined;
  /** Clock for the lock's timestamp. */
  now?: (() => number) | undefined;
  /** How long to wait for another process to close the store before refusing (default 15 s). */
  lockWaitMs?: number | undefined;
  /** Compact once the log passes this many bytes (default 8 MiB). */
  compactAfterBytes?: number | undefined;
  /** Compact once the log passes this many lines (default 20,000). */
  compactAfterLines?: number | undefined;
}

/** Counters for tests and benchmarks. */
export interface JsonStoreStats {
  /** Seq of the last accepted change. */
  lastSeq: number;
  /** Seq up to which every change is on disk. */
  durableSeq: number;
  /** Append batches written (one write + fdatasync each). */
  appends: number;
  /** Snapshots written since open. */
  compactions: number;
  logBytes: number;
  logLines: number;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * True when `copy` was written from `original` after its last change (same size, not
 * older): then the backup of a 50 MB snapshot need not be rewritten at every start.
 */
async function isCopyOf(copy: string, original: string): Promise<boolean> {
  const [a, b] = await Promise.all([stat(copy).catch(() => undefined), stat(original)]);
  return a !== undefined && a.size === b.size && a.mtimeMs >= b.mtimeMs;
}

/**
 * Opens the store at `path`: locks it, loads and validates the snapshot, replays the
 * log, and is then ready for updates. Throws BotError(STORE_CORRUPT) for a bad file
 * (left untouched) and BotError(CONFIG) when another process has the store open.
 * @example const store = await openJsonStore({ path: "data/threads.json", logger });
 */
export async function openJsonStore(options: JsonStoreOptions): Promise<JsonStore> {
  const paths = storePaths(options.path);
  const logger = options.logger ?? silent;
  const started = performance.now();
  await mkdir(dirname(paths.snapshot), { recursive: true });
  const lock = await acquireLock({
    lockPath: paths.lock,
    storePath: paths.snapshot,
    now: options.now ?? Date.now,
    waitMs: options.lockWaitMs,
    // warn, not info: the console channel shows only warnings, and this explains a pause at start.
    onWait: (message) => logger.warn(message, { lock: paths.lock }),
  });
  let loaded: LoadedStore;
  let log: LogAppender;
  try {
    loaded = await loadStore(paths);
    log = await openFiles(loaded, paths, logger);
  } catch (error) {
    await lock.release();
    throw error;
  }
  const store = await JsonStore.start({ paths, loaded, log, lock, logger, options });
  logger.info("store opened", {
    path: paths.snapshot,
    threads: loaded.threads,
    replayed: loaded.replayed,
    ms: Math.round(performance.now() - started),
  });
  return store;
}

/** Writes a new store's first snapshot, and opens the log cut to the lines that still count. */
async function openFiles(loaded: LoadedStore, paths: StorePaths, logger: Logger): Promise<LogAppender> {
  if (loaded.created) await loaded.low.write();
  const { log, lastSeq } = loaded;
  if (log === null) return LogAppender.open(paths.log, null, { bytes: 0, lines: 0 });
  if (log.tornBytes > 0) {
    // Never acknowledged: the append was cut by a crash before its fdatasync returned.
    logger.warn("store log ends in a torn line; dropping it", { path: paths.log, bytes: log.tornBytes });
  }
  // Lines that all end before lastSeq are already in the snapshot (a crash between a
  // compaction's rename and its truncate); appending lastSeq+1 after them would break the chain.
  const stale = (log.entries.at(-1)?.seq ?? lastSeq) < lastSeq;
  const keep = stale ? { bytes: 0, lines: 0 } : { bytes: log.goodBytes, lines: log.entries.length };
  return LogAppender.open(paths.log, log, keep);
}

interface JsonStoreParts {
  paths: StorePaths;
  loaded: LoadedStore;
  log: LogAppender;
  lock: StoreLock;
  logger: Logger;
  options: JsonStoreOptions;
}

/** The lowdb-backed StorePort: a JSON snapshot plus an append-only log of merge patches. */
export class JsonStore implements StorePort {
  readonly #paths: StorePaths;
  readonly #low: Low<Snapshot | null>;
  readonly #state: StoreState;
  readonly #lock: StoreLock;
  readonly #logger: Logger;
  readonly #writer: Writer;
  #closing: Promise<void> | undefined;
  /** The .bak copy in progress; copies run one at a time, off the writer's path. */
  #backup: Promise<void> = Promise.resolve();

  private constructor(parts: JsonStoreParts) {
    this.#paths = parts.paths;
    this.#low = parts.loaded.low;
    this.#state = parts.loaded.state;
    this.#lock = parts.lock;
    this.#logger = parts.logger;
    this.#writer = new Writer({
      log: parts.log,
      logPath: parts.paths.log,
      lastSeq: parts.loaded.lastSeq,
      compactAfterBytes: parts.options.compactAfterBytes ?? 8 * 1024 * 1024,
      compactAfterLines: parts.options.compactAfterLines ?? 20_000,
      snapshot: (logSeq) => this.#writeSnapshot(logSeq),
      logger: parts.logger,
    });
  }

  /** Used by openJsonStore once the files are open; closes everything again if finishing fails. */
  static async start(parts: JsonStoreParts): Promise<JsonStore> {
    const store = new JsonStore(parts);
    try {
      await store.#afterOpen(parts.loaded);
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
    return store;
  }

  /** A migrated store is rewritten at once; otherwise the loaded file becomes the backup if it is not already. */
  async #afterOpen(loaded: LoadedStore): Promise<void> {
    const from = loaded.migratedFrom;
    if (from === undefined) {
      if (!loaded.created && !(await isCopyOf(this.#paths.backup, this.#paths.snapshot))) this.#startBackup();
      return;
    }
    // Keep the pre-migration files as they were; the migrated snapshot then replaces them.
    const copy = migrationBackupPath(this.#paths.snapshot, from);
    await copyFileDurable(this.#paths.snapshot, copy);
    if (loaded.replayed > 0) await copyFileDurable(this.#paths.log, migrationBackupPath(this.#paths.log, from));
    this.#logger.info("store migrated", { from, copy });
    await this.#writer.compactNow();
  }

  /** The current state; entries are replaced, never mutated, so a held entry stays consistent. */
  get state(): Readonly<StoreState> {
    return this.#state;
  }

  /** Counters (seqs, appends, compactions, log size). */
  get stats(): JsonStoreStats {
    return this.#writer.stats;
  }

  /**
   * Validates and applies the patch in memory before it returns (so the next read sees
   * it, and a read-modify-write without an await in between is atomic), then resolves
   * once it is on disk. A refused patch rejects with BotError(BAD_INPUT) and changes nothing.
   */
  async update(patch: MergePatch<StoreState>): Promise<void> {
    this.#writer.assertOpen(this.#closing !== undefined);
    // One JSON round trip: the patch is frozen as the caller passed it, and memory gets
    // exactly what a replay of the log line would produce (no undefined, no shared arrays).
    const text = JSON.stringify(patch);
    applyValidatedPatch(this.#state, JSON.parse(text));
    await this.#writer.enqueue(text);
  }

  /** The whole state is in memory: nothing to load. */
  async load(_want: StoreWant): Promise<void> {}

  async findThreads(query: ThreadQuery): Promise<string[]> {
    return findResidentThreads(this.#state, query);
  }

  /** Resolves when every change accepted so far is on disk. */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  /** Flushes, writes a fresh snapshot if the log has lines, and releases the lock. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    try {
      await this.#writer.close();
      await this.#backup;
    } finally {
      await this.#lock.release();
    }
  }

  async #writeSnapshot(logSeq: number): Promise<void> {
    const started = performance.now();
    this.#low.data = { logSeq, state: this.#state };
    await this.#low.write();
    this.#logger.debug("store snapshot written", { logSeq, ms: Math.round(performance.now() - started) });
    this.#startBackup();
  }

  #startBackup(): void {
    this.#backup = this.#backup.then(() =>
      copyFileDurable(this.#paths.snapshot, this.#paths.backup).catch((error: unknown) => {
        this.#logger.warn("store backup copy failed", { path: this.#paths.backup, error: String(error) });
      }),
    );
  }
}
