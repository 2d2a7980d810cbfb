/**
 * The Postgres side of the `postgres` section: seeded rows written straight into tk_records, a store
 * opened as an active bot process opens it (schema migrated, deployment lease held, fenced writes),
 * and a second process standing by on the same lease (bench/lib/pg-standby.ts).
 */
import { type ChildProcess, fork } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { silentLogger } from "../../src/core/log.ts";
import { Lease, openPostgresStore, type PostgresStore, preparePostgres } from "../../src/store/postgres/index.ts";
import { slugOfRecord } from "../../src/store/postgres/residency.ts";
import { SCALARS } from "../../src/store/postgres/sql.ts";
import { prng, SEED_NOW, type Seeded, seedScalars, seedThreads } from "./seed.ts";

const here = dirname(fileURLToPath(import.meta.url));
/** Rows per insert statement while seeding. */
const BATCH = 20_000;
/** A week: the bot prunes used and void notices older than this. */
const NOTICE_DAYS = 7;
/**
 * The week's interruptions, the same at every size: how many notices a deployment keeps follows its
 * recent activity, not how many threads it ever made, and the thread count is what the load part varies.
 */
export const RECENT_NOTICES = 200;

/** One row of tk_records: kind (the record field, or "$" for a top-level field), key, value. */
type RecordRow = [kind: string, key: string, value: unknown];

/** Writes a seeded state into tk_records, one `insert … select from unnest(…)` per batch of rows. */
export async function insertSeeded(pool: pg.Pool | pg.PoolClient, seeded: Seeded): Promise<number> {
  function* rows(): Generator<RecordRow> {
    for (const [field, value] of Object.entries(seeded.patch as Record<string, unknown>)) {
      if (value !== null && typeof value === "object") {
        for (const [key, entry] of Object.entries(value)) yield [field, key, entry];
      } else yield [SCALARS, field, value];
    }
  }
  return await insertRows(pool, rows());
}

/**
 * Inserts `rows` as the bot writes them (slug column from slugOfRecord, as pg-store.ts's writes fill it),
 * BATCH rows per statement; the next batch is built while the previous one is written.
 */
async function insertRows(pool: pg.Pool | pg.PoolClient, rows: Iterable<RecordRow>): Promise<number> {
  let count = 0;
  let pending: Promise<unknown> = Promise.resolve();
  let batch = { kinds: [] as string[], keys: [] as string[], values: [] as string[], slugs: [] as (string | null)[] };
  const send = async () => {
    const { kinds, keys, values, slugs } = batch;
    batch = { kinds: [], keys: [], values: [], slugs: [] };
    await pending;
    pending = pool.query(
      "insert into tk_records (kind, key, value, slug) select * from unnest($1::text[], $2::text[], $3::jsonb[], $4::text[])",
      [kinds, keys, values, slugs],
    );
  };
  for (const [kind, key, value] of rows) {
    batch.kinds.push(kind);
    batch.keys.push(key);
    batch.values.push(JSON.stringify(value));
    batch.slugs.push(slugOfRecord(kind, key, value));
    count++;
    if (batch.kinds.length >= BATCH) await send();
  }
  if (batch.kinds.length > 0) await send();
  await pending;
  return count;
}

/** A conversation to resolve, and the thread it must resolve to. */
export interface Probe {
  conversation: string;
  slug: string;
}

/** What seedDatabase wrote. */
export interface SeededDatabase {
  rows: number;
  /** Notices written: RECENT_NOTICES used notices of the last week. */
  notices: number;
  /** seedStore's own notices, left out (the bot forgets those a week old; the rest would grow with its threads). */
  noticesPruned: number;
  /** Random threads (none with a notice), one random binding each, in random order. */
  probes: Probe[];
  /** Time to write the rows, then to build the indexes again and analyze. */
  insertMs: number;
  indexMs: number;
}

/** A used notice of the last week for a seeded thread, as the bot leaves one after a Resume. */
function recentNotice(thread: { index: number; slug: string; conversations: string[] }, since: number) {
  const turnId = `00000000-0000-4000-a000-${String(thread.index).padStart(12, "0")}`;
  const conversation = thread.conversations[0] ?? "";
  const createdAt = since + ((thread.index * 3_600_000) % (NOTICE_DAYS * 86_400_000 - 1));
  return {
    id: `recent-${thread.index}`,
    kind: "resume",
    slug: thread.slug,
    turnId,
    conversation,
    createdAt,
    state: "used",
  };
}

/**
 * Writes seedStore(count)'s rows into the database at `pool` (migrated, empty) without holding the state:
 * seedThreads yields one thread at a time and the rows go in batches. seedStore's notices (2 %, "used",
 * created with their thread, 0 – 90 days before SEED_NOW) are left out, as the bot prunes those older than
 * a week; instead the first RECENT_NOTICES threads each get a used notice of the last week, at every size.
 * The secondary indexes are dropped for the insert and built again after it (their definitions read back
 * from Postgres): the same rows and indexes, in a fraction of the time. `probes` threads are
 * picked at random (a PRNG of their own) for the resolves.
 */
export async function seedDatabase(pool: pg.Pool, count: number, probes: number): Promise<SeededDatabase> {
  const since = SEED_NOW - NOTICE_DAYS * 86_400_000;
  const random = prng(count ^ 0x5eed);
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const wanted = Math.min(probes, count);
  for (let k = 0; k < wanted; k++) {
    const j = k + Math.floor(random() * (count - k));
    [order[k], order[j]] = [order[j] as number, order[k] as number];
  }
  const position = new Map<number, number>();
  for (let k = 0; k < wanted; k++) position.set(order[k] as number, k);
  const picked: (Probe | undefined)[] = new Array(wanted);
  const result: SeededDatabase = { rows: 0, notices: 0, noticesPruned: 0, probes: [], insertMs: 0, indexMs: 0 };
  function* rows(): Generator<RecordRow> {
    for (const [field, value] of Object.entries(seedScalars(count))) yield [SCALARS, field, value];
    for (const thread of seedThreads(count)) {
      const noticed = thread.index < RECENT_NOTICES;
      // As in seedStore's records, a later entry under the same key replaces the earlier one (two bindings of
      // a thread in one forum share its native thread).
      const entries = new Map(thread.entries.map((e) => [`${e[0]}\0${e[1]}`, e]));
      for (const [field, key, value] of entries.values()) {
        if (field === "notices") {
          result.noticesPruned++;
          continue;
        }
        yield [field, key, value];
      }
      if (noticed) {
        result.notices++;
        yield ["notices", `recent-${thread.index}`, recentNotice(thread, since)];
      }
      const k = position.get(thread.index);
      if (k !== undefined && !noticed) {
        const conversation = thread.conversations[Math.floor(random() * thread.conversations.length)] ?? "";
        picked[k] = { conversation, slug: thread.slug };
      }
    }
  }
  const client = await pool.connect();
  try {
    await client.query("set synchronous_commit = off");
    const indexes = await client.query<{ name: string; definition: string }>(
      `select c.relname as name, pg_get_indexdef(i.indexrelid) as definition
       from pg_index i join pg_class c on c.oid = i.indexrelid
       where i.indrelid = 'tk_records'::regclass and not i.indisprimary`,
    );
    for (const index of indexes.rows) await client.query(`drop index ${index.name}`);
    let started = performance.now();
    result.rows = await insertRows(client, rows());
    result.insertMs = performance.now() - started;
    started = performance.now();
    await client.query("set maintenance_work_mem = '256MB'");
    for (const index of indexes.rows) await client.query(index.definition);
    await client.query("vacuum analyze tk_records");
    result.indexMs = performance.now() - started;
  } finally {
    client.release();
  }
  result.probes = picked.filter((p): p is Probe => p !== undefined);
  return result;
}

/** A store on `url` as the active bot process holds it: migrated, seeded, the lease held, writes fenced. */
export interface ActiveStore {
  store: PostgresStore;
  lease: Lease;
  close(): Promise<void>;
}

/** Migrates the database at `url`, writes `seeded` into it, takes the lease, opens the store, loads the threads. */
export async function openActiveStore(url: string, seeded: Seeded): Promise<ActiveStore> {
  const pool = await preparePostgres(url, silentLogger);
  await insertSeeded(pool, seeded);
  const lease = new Lease({ pool, logger: silentLogger });
  await lease.acquire();
  const store = await openPostgresStore({ pool, logger: silentLogger, fence: lease });
  // The store reads threads on demand: an entry point loads its thread before the relay writes a turn of
  // it (lib/turn-write.ts reads store.state.threads). The benches' 1,000 threads stay resident (≤ 10,000).
  await store.load({ names: seeded.slugs });
  return {
    store,
    lease,
    async close() {
      await store.flush().catch(() => undefined);
      await lease.release();
      await store.close();
    },
  };
}

/** A second process waiting for the lease on `url`: it asks Postgres every 250 ms, as a standby bot does. */
export interface Standby {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Forks bench/lib/pg-standby.ts; resolves once it has found the lease held and waits. */
export async function startStandby(url: string): Promise<Standby> {
  const child = fork(join(here, "pg-standby.ts"), [url], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  await new Promise<void>((resolve, reject) => {
    child.once("message", (message) =>
      message === "waiting" ? resolve() : reject(new Error(`standby: unexpected ${String(message)}`)),
    );
    child.once("exit", (code) => reject(new Error(`standby exited (code ${code}) before waiting`)));
  });
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
