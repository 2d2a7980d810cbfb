import type pg from "pg";
import { BotError, ErrorCode } from "../../core/errors.ts";
import { emptyState, type StoreState } from "../../core/model.ts";
import type { Logger, MergePatch, StorePort } from "../../core/ports.ts";
import { isPlainObject } from "../merge-patch.ts";
import { applyValidatedPatch, validateState } from "../validate.ts";
import type { Fence } from "./lease.ts";

/**
 * The StorePort on Postgres: the same in-memory tree and merge rules as the JSON store, with every
 * entry a row of tk_records (kind = the record field, key = the entry key; top-level fields under
 * kind "$"). A patch is applied in memory at once; a group-commit writer then writes the entries it
 * touched, as memory holds them, in one transaction, and update() resolves when that committed.
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
}

/** Loads the state from Postgres and returns the store, ready for updates. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const result = await options.pool.query<{ kind: string; key: string; value: unknown }>(
    "select kind, key, value from tk_records",
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
  return new PostgresStore(validated.state, options);
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
  /** Transactions committed (for tests and benchmarks). */
  commits = 0;

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
      for (const key of keys) set.add(key);
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
         insert into tk_records (kind, key, value)
         select u.kind, u.key, u.value from unnest($6::text[], $7::text[], $8::jsonb[]) as u(kind, key, value)
         where exists (select 1 from fence)
         on conflict (kind, key) do update set value = excluded.value
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
      ],
    });
    if (result.rows[0]?.fenced !== 1) throw lost();
  }

  /** The rows of the dirty entries as memory holds them now (absent entries are deleted). */
  #rows(dirty: Dirty) {
    const upserts = { kinds: [] as string[], keys: [] as string[], values: [] as string[] };
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
