import type pg from "pg";
import { BotError, ErrorCode } from "../../core/errors.ts";
import { emptyState, type StoreState } from "../../core/model.ts";
import type { Logger, MergePatch, StorePort, StoreWant, ThreadQuery } from "../../core/ports.ts";
import { isPlainObject } from "../merge-patch.ts";
import { applyValidatedPatch, validateState } from "../validate.ts";
import type { Fence } from "./lease.ts";
import { LAZY_KINDS, type Missing, pinnedSlugs, RESIDENT_THREADS, Residency, slugOfRecord } from "./residency.ts";

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

const SCALARS = "$";
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2_000;

export interface PostgresStoreOptions {
  pool: pg.Pool;
  logger: Logger;
  /** Checked in every write transaction; absent for a single process (tests, tools). */
  fence?: Fence | undefined;
  /** Called once when a write finds the lease lost (the process must stop acting). */
  onLeaseLost?: ((error: BotError) => void) | undefined;
  /** Threads kept in memory before the least recently used leave (RESIDENT_THREADS). */
  residentThreads?: number | undefined;
}

/**
 * Reads the work in flight (every record but the threads' own) and the threads it points at, and returns
 * the store, ready for updates.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const result = await options.pool.query<{ kind: string; key: string; value: unknown }>(
    "select kind, key, value from tk_records where kind <> all($1::text[])",
    [LAZY_KINDS],
  );
  const raw: Record<string, unknown> = { ...emptyState() };
  for (const field of Object.keys(raw)) if (isPlainObject(raw[field])) raw[field] = {};
  for (const row of result.rows) {
    if (row.kind === SCALARS) raw[row.key] = row.value;
    else {
      const record = raw[row.kind];
      // A kind this code does not know (a newer bot's) is ignored, as the JSON store drops unknown keys.
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

/** One statement: every record of each thread the wanted conversations, names and session keys reach. */
const LOAD_SQL = `
  with wanted(slug) as (
    select value->>'slug' from tk_records where kind = 'bindings' and key = any($1::text[])
    union select slug from tk_records where kind = 'nativeThreads' and value->>'conversation' = any($1::text[])
    union select unnest($2::text[])
    union select value->>'slug' from tk_records where kind = 'aliases' and key = any($2::text[])
    union select key from tk_records where kind = 'threads' and value->>'sessionKey' = any($3::text[])
  )
  select kind, key, value, slug from tk_records where slug in (select slug from wanted)`;

/** Most recently active first, by the tk_records_recent index; `strpos` so `%` and `_` are plain text. */
const FIND_SQL = `
  select key from tk_records
  where kind = 'threads' and ($1 = '' or strpos(key, $1) > 0 or strpos(lower(value->>'name'), $1) > 0)
  order by (value->>'lastActivityAt')::bigint desc, key limit $2`;

interface Row {
  kind: string;
  key: string;
  value: unknown;
  slug: string | null;
}

/** What a batch writes: per record kind, the keys touched since the last commit. */
type Dirty = Map<string, Set<string>>;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class PostgresStore implements StorePort {
  readonly #state: StoreState;
  readonly #options: PostgresStoreOptions;
  #dirty: Dirty = new Map();
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
        this.#options.pool.query<Row>({
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

  /**
   * A read that fails (Postgres restarting) is tried again until it answers, as a write is: the update
   * that asked waits, so it is not confirmed to the platform and nothing a person sent is lost.
   */
  async #readUntilDone<T>(read: () => Promise<T>): Promise<T> {
    let pause = FIRST_RETRY_MS;
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) throw new BotError(ErrorCode.StoreCorrupt, "The Postgres store is closed.");
      try {
        const result = await read();
        if (attempt > 1) this.#options.logger.info("postgres: reads go through again", { attempts: attempt });
        return result;
      } catch (error) {
        if (attempt === 1) this.#options.logger.warn("postgres: a read failed; retrying", { error: message(error) });
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, MAX_RETRY_MS);
      }
    }
  }

  /** Puts read rows into memory, except entries memory already holds or that were written meanwhile. */
  #admit(rows: Row[], written: ReadonlySet<string>, missing: Missing): void {
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
      throw new BotError(ErrorCode.StoreCorrupt, `The Postgres store holds an invalid entry: ${message(error)}`);
    }
    this.#residency.answered(missing, slugs);
  }

  /** Lets the least recently used threads go, when no write of them can be pending. */
  #evict(): void {
    const keep = this.#options.residentThreads ?? RESIDENT_THREADS;
    if (this.#residency.size <= keep || this.#dirty.size > 0 || this.#running !== undefined) return;
    const gone = this.#residency.evict(this.#state, keep, pinnedSlugs(this.#state));
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
    let pause = FIRST_RETRY_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#write(dirty);
        this.commits++;
        if (attempt > 1) this.#options.logger.info("postgres: writes go through again", { attempts: attempt });
        return;
      } catch (error) {
        if (error instanceof BotError && error.code === ErrorCode.LeaseLost) {
          this.#failure = error;
          this.#options.onLeaseLost?.(error);
          throw error;
        }
        if (attempt === 1) this.#options.logger.warn("postgres: a write failed; retrying", { error: message(error) });
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, MAX_RETRY_MS);
      }
    }
  }

  /**
   * One statement, so one round trip and its own transaction: the fence's row lock, the deletes and
   * the upserts. Data-modifying WITH clauses always run; each writes only if the fence row matched.
   */
  async #write(dirty: Dirty): Promise<void> {
    const { upserts, deletes } = this.#rows(dirty);
    const fence = this.#options.fence;
    const held = fence?.fence;
    if (fence && held === undefined) throw lost();
    // Named: each connection parses and plans it once (prepared statement), not at every write.
    const result = await this.#options.pool.query<{ fenced: number }>({
      name: held ? "tk_write_fenced" : "tk_write",
      text: `with fence as (${held ? FENCED : UNFENCED}),
       deleted as (
         delete from tk_records r using unnest($4::text[], $5::text[]) as d(kind, key)
         where r.kind = d.kind and r.key = d.key and exists (select 1 from fence)
         returning 1
       ),
       upserted as (
         insert into tk_records (kind, key, value, slug)
         select u.kind, u.key, u.value, u.slug
         from unnest($6::text[], $7::text[], $8::jsonb[], $9::text[]) as u(kind, key, value, slug)
         where exists (select 1 from fence)
         on conflict (kind, key) do update set value = excluded.value, slug = excluded.slug
         returning 1
       )
       select (select count(*) from fence)::int as fenced`,
      values: [
        held?.name ?? "",
        held?.holder ?? "",
        held?.epoch ?? 0,
        deletes.kinds,
        deletes.keys,
        upserts.kinds,
        upserts.keys,
        upserts.values,
        upserts.slugs,
      ],
    });
    if (result.rows[0]?.fenced !== 1) throw lost();
  }

  /** The rows of the dirty entries as memory holds them now (absent entries are deleted). */
  #rows(dirty: Dirty) {
    const upserts = {
      kinds: [] as string[],
      keys: [] as string[],
      values: [] as string[],
      slugs: [] as (string | null)[],
    };
    const deletes = { kinds: [] as string[], keys: [] as string[] };
    const state = this.#state as unknown as Record<string, unknown>;
    for (const [kind, keys] of dirty) {
      const source = kind === SCALARS ? state : (state[kind] as Record<string, unknown>);
      for (const key of keys) {
        const value = source[key];
        if (value === undefined) {
          deletes.kinds.push(kind);
          deletes.keys.push(key);
        } else {
          upserts.kinds.push(kind);
          upserts.keys.push(key);
          upserts.values.push(JSON.stringify(value));
          upserts.slugs.push(slugOfRecord(kind, key, value));
        }
      }
    }
    return { upserts, deletes };
  }
}

/** The lease row as this process holds it, locked until the statement's transaction ends. */
const FENCED = "select 1 from tk_leases where name = $1 and holder = $2 and epoch = $3 for share";
/** No lease (one process, tests): the parameters are there but unused. */
const UNFENCED = "select 1 where $1::text is not null and $2::text is not null and $3::bigint is not null";

function lost(): BotError {
  return new BotError(ErrorCode.LeaseLost, "Another bot process holds the deployment now; this one may not write.");
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
