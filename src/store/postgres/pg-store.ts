import type pg from "pg";
import { BotError, ErrorCode } from "../../core/errors.ts";
import { emptyState, type StoreState } from "../../core/model.ts";
import type { Logger, MergePatch, StorePort, StoreWant, ThreadQuery } from "../../core/ports.ts";
import { isPlainObject } from "../merge-patch.ts";
import { applyValidatedPatch, validateState } from "../validate.ts";
import type { Fence } from "./lease.ts";
import { isLazy, type Missing, pinnedSlugs, RESIDENT_THREADS, Residency, slugOfRecord } from "./residency.ts";
import { errorMessage, untilDone } from "./retry.ts";
import { type Dirty, FIND_SQL, LOAD_SQL, type LoadedRow, SCALARS, writeRows, writeSql } from "./sql.ts";

/**
 * The StorePort on Postgres: the same in-memory tree and merge rules as the JSON store, with every
 * entry a row of tk_records (kind = the record field, key = the entry key; top-level fields under
 * kind "$"). A patch is applied in memory at once; a group-commit writer then writes the entries it
 * touched, as memory holds them, in one transaction, and update() resolves when that committed.
 *
 * Memory holds the work in flight and the threads in use, not the deployment: a thread's records are
 * read by index when an entry point asks for them (residency.ts), so start-up and RSS do not grow with
 * the number of threads.
 *
 * With a fence (the deployment lease), each write checks in the same statement, under a row lock, that
 * this process still holds the lease: a process that lost it can never write again, however late its
 * write arrives. A write that fails for any other reason (Postgres restarting) is retried until it
 * lands, so the bot carries on by itself when Postgres is back; update() waits meanwhile.
 */

export interface PostgresStoreOptions {
  pool: pg.Pool;
  logger: Logger;
  /** Checked in every write transaction; absent for a single process (tests, tools). */
  fence?: Fence | undefined;
  /** Called once when a write finds the lease lost (the process must stop acting). */
  onLeaseLost?: ((error: BotError) => void) | undefined;
  /** Threads kept in memory before the least recently used leave (RESIDENT_THREADS). */
  residentThreads?: number | undefined;
  /** A thread used this recently stays whatever the count (KEEP_USED_MS; tests shorten it). */
  keepUsedMs?: number | undefined;
}

/** Reads the work in flight (every record but the threads' own) and the threads it points at. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const raw: Record<string, unknown> = { ...emptyState() };
  for (const field of Object.keys(raw)) if (isPlainObject(raw[field])) raw[field] = {};
  // The kinds read whole, by name: the primary key serves `kind = any(…)`, not `kind <> all(…)` (a scan).
  // A kind this code does not know (a newer bot's) is not read, as the JSON store drops unknown keys.
  const eager = [SCALARS, ...Object.keys(raw).filter((field) => isPlainObject(raw[field]) && !isLazy(field))];
  const result = await options.pool.query<{ kind: string; key: string; value: unknown }>(
    "select kind, key, value from tk_records where kind = any($1::text[])",
    [eager],
  );
  for (const row of result.rows) {
    if (row.kind === SCALARS) raw[row.key] = row.value;
    else {
      const record = raw[row.kind];
      if (isPlainObject(record)) record[row.key] = row.value;
    }
  }
  const validated = validateState(raw);
  if ("issues" in validated) {
    throw new BotError(
      ErrorCode.StoreCorrupt,
      `The Postgres store holds invalid entries:\n${validated.issues.format()}`,
    );
  }
  const store = new PostgresStore(validated.state, options);
  await store.load({ names: [...pinnedSlugs(validated.state)] });
  return store;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class PostgresStore implements StorePort {
  readonly #state: StoreState;
  readonly #options: PostgresStoreOptions;
  #dirty: Dirty = new Map();
  /** The batch being written now. */
  #writing: Dirty = new Map();
  #waiters: Waiter[] = [];
  #running: Promise<void> | undefined;
  #failure: BotError | undefined;
  #closed = false;
  readonly #residency = new Residency();
  /** Per load in flight: the entries written meanwhile, which memory holds newer than its rows. */
  readonly #loading = new Set<Set<string>>();
  /** Transactions committed (for tests and benchmarks). */
  commits = 0;
  /** Lazy reads that went to Postgres (for tests and benchmarks). */
  reads = 0;

  constructor(state: StoreState, options: PostgresStoreOptions) {
    this.#state = state;
    this.#options = options;
  }

  get state(): Readonly<StoreState> {
    return this.#state;
  }

  update(patch: MergePatch<StoreState>): Promise<void> {
    if (this.#closed) return Promise.reject(new BotError(ErrorCode.StoreCorrupt, "The Postgres store is closed."));
    if (this.#failure) return Promise.reject(this.#failure);
    // A JSON round trip, as the JSON store's log line is: no caller object is kept by reference.
    const copy = JSON.parse(JSON.stringify(patch)) as Record<string, unknown>;
    try {
      applyValidatedPatch(this.#state, copy);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#markDirty(copy);
    return this.#wait();
  }

  async load(want: StoreWant): Promise<void> {
    // Before the read, not after: what a load brings stays at least until the next load.
    this.#evict();
    const missing = this.#residency.missing(want, this.#state);
    if (missing.conversations.length + missing.names.length + missing.sessionKeys.length === 0) return;
    const written = new Set<string>();
    this.#loading.add(written);
    try {
      const result = await this.#readUntilDone(() =>
        this.#options.pool.query<LoadedRow>({
          name: "tk_load",
          text: LOAD_SQL,
          values: [missing.conversations, missing.names, missing.sessionKeys],
        }),
      );
      this.reads++;
      this.#admit(result.rows, written, missing);
    } finally {
      this.#loading.delete(written);
    }
  }

  async findThreads(query: ThreadQuery): Promise<string[]> {
    // What memory changed must be in Postgres for its order and names to count.
    await this.flush();
    const result = await this.#readUntilDone(() =>
      this.#options.pool.query<{ key: string }>({
        name: "tk_find",
        text: FIND_SQL,
        values: [query.contains, query.limit],
      }),
    );
    const slugs = result.rows.map((r) => r.key);
    await this.load({ names: slugs });
    return slugs;
  }

  /** A read waits out Postgres restarting as a write does: the update that asked is not confirmed meanwhile. */
  #readUntilDone<T>(read: () => Promise<T>): Promise<T> {
    const closed = () => new BotError(ErrorCode.StoreCorrupt, "The Postgres store is closed.");
    return untilDone(() => (this.#closed ? Promise.reject(closed()) : read()), {
      what: "read",
      logger: this.#options.logger,
      fatal: () => this.#closed,
    });
  }

  /** Puts read rows into memory, except entries memory already holds or that were written meanwhile. */
  #admit(rows: LoadedRow[], written: ReadonlySet<string>, missing: Missing): void {
    const state = this.#state as unknown as Record<string, Record<string, unknown>>;
    const patch: Record<string, Record<string, unknown>> = {};
    const slugs = new Set(missing.names);
    for (const row of rows) {
      if (row.slug !== null) slugs.add(row.slug);
      if (state[row.kind]?.[row.key] !== undefined || written.has(`${row.kind}\0${row.key}`)) continue;
      patch[row.kind] ??= {};
      (patch[row.kind] as Record<string, unknown>)[row.key] = row.value;
    }
    try {
      applyValidatedPatch(this.#state, patch);
    } catch (error) {
      throw new BotError(ErrorCode.StoreCorrupt, `The Postgres store holds an invalid entry: ${errorMessage(error)}`);
    }
    this.#residency.answered(missing, slugs);
  }

  /**
   * Lets the least recently used threads go, never one with a write pending or in flight: a write
   * sends entries as memory holds them, and an entry memory dropped would be deleted.
   */
  #evict(): void {
    const keep = this.#options.residentThreads ?? RESIDENT_THREADS;
    if (this.#residency.size <= keep) return;
    const pinned = pinnedSlugs(this.#state);
    const records = this.#state as unknown as Record<string, Record<string, unknown>>;
    for (const [kind, keys] of [...this.#dirty, ...this.#writing]) {
      for (const key of keys) {
        const slug = slugOfRecord(kind, key, records[kind]?.[key]);
        if (slug !== null) pinned.add(slug);
      }
    }
    const gone = this.#residency.evict(this.#state, keep, pinned, this.#options.keepUsedMs);
    if (gone > 0) this.#options.logger.debug("postgres: threads left memory", { gone });
  }

  flush(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#dirty.size === 0 && this.#running === undefined) return Promise.resolve();
    return this.#wait();
  }

  #wait(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#kick();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      if (!this.#failure) await this.flush();
    } finally {
      this.#closed = true;
      await this.#options.pool.end().catch(() => undefined);
    }
  }

  #markDirty(patch: Record<string, unknown>): void {
    for (const [field, value] of Object.entries(patch)) {
      const isRecord =
        isPlainObject((this.#state as unknown as Record<string, unknown>)[field]) && isPlainObject(value);
      const kind = isRecord ? field : SCALARS;
      const keys = isRecord ? Object.keys(value as object) : [field];
      const set = this.#dirty.get(kind) ?? new Set<string>();
      this.#dirty.set(kind, set);
      const record = isRecord ? (this.#state as unknown as Record<string, Record<string, unknown>>)[kind] : undefined;
      for (const key of keys) {
        set.add(key);
        for (const written of this.#loading) written.add(`${kind}\0${key}`);
        // A thread written is a thread in use: the last to leave memory.
        const slug = record ? slugOfRecord(kind, key, record[key]) : null;
        if (slug !== null && this.#residency.has(slug)) this.#residency.touch(slug);
      }
    }
  }

  #kick(): void {
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
      this.#writing = new Map();
      if (this.#waiters.length > 0 && !this.#failure) this.#kick();
    });
  }

  /** Writes batches until nothing is dirty; each batch is what queued while the last one was in flight. */
  async #drain(): Promise<void> {
    while (this.#waiters.length > 0) {
      const dirty = this.#dirty;
      const waiters = this.#waiters;
      this.#dirty = new Map();
      this.#waiters = [];
      this.#writing = dirty;
      try {
        await this.#writeUntilDone(dirty);
      } catch (error) {
        // The lease is lost: nothing queued will ever be written.
        for (const waiter of [...waiters, ...this.#waiters.splice(0)]) waiter.reject(error);
        return;
      }
      for (const waiter of waiters) waiter.resolve();
    }
  }

  async #writeUntilDone(dirty: Dirty): Promise<void> {
    await untilDone(() => this.#write(dirty), {
      what: "write",
      logger: this.#options.logger,
      fatal: (error) => {
        if (!(error instanceof BotError && error.code === ErrorCode.LeaseLost)) return false;
        this.#failure = error;
        this.#options.onLeaseLost?.(error);
        return true;
      },
    });
    this.commits++;
  }

  /** One round trip (sql.ts writeSql); named, so each connection parses and plans it once. */
  async #write(dirty: Dirty): Promise<void> {
    const fence = this.#options.fence;
    const held = fence?.fence;
    if (fence && held === undefined) throw lost();
    const result = await this.#options.pool.query<{ fenced: number }>({
      name: held ? "tk_write_fenced" : "tk_write",
      text: writeSql(held !== undefined),
      values: [held?.name ?? "", held?.holder ?? "", held?.epoch ?? 0, ...writeRows(this.#state, dirty)],
    });
    if (result.rows[0]?.fenced !== 1) throw lost();
  }
}
function lost(): BotError {
  return new BotError(ErrorCode.LeaseLost, "Another bot process holds the deployment now; this one may not write.");
}
