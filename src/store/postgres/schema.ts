import type pg from "pg";
import { BotError, ErrorCode } from "../../core/errors.ts";

/**
 * The Postgres schema, as numbered migrations run at start. Each runs in its own transaction under
 * an advisory lock, so processes starting together migrate once. A database whose schema is newer
 * than this code is refused: an older bot writing a newer layout would lose what it does not know.
 */

interface Migration {
  version: number;
  what: string;
  sql: string;
}

/**
 * Why one table of records and not a table per record kind: the store port is a tree of records
 * (threads, bindings, journal, …) merged by patches; a row per entry, keyed by kind and key, keeps
 * the store's merge-only rule (a patch rewrites exactly the entries it touches) and the conformance
 * suite one for both stores. Entries are validated with the same zod schemas when read.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    what: "records, deployment facts, leases",
    sql: `
      create table tk_records (
        kind text not null,
        key text not null,
        value jsonb not null,
        primary key (kind, key)
      );
      create table tk_meta (key text primary key, value jsonb not null);
      create table tk_leases (
        name text primary key,
        holder text not null,
        epoch bigint not null,
        expires_at timestamptz not null
      );`,
  },
  {
    version: 2,
    what: "Telegram webhook updates, taken by any process, handled by the active one",
    sql: `
      create table tk_telegram_updates (
        update_id bigint primary key,
        body jsonb,
        received_at timestamptz not null default now(),
        done_at timestamptz
      );
      create index tk_telegram_updates_pending on tk_telegram_updates (update_id) where done_at is null;`,
  },
  {
    version: 3,
    what: "threads resolved by index: each thread's records by slug, by session key, by conversation, by recency",
    sql: `
      alter table tk_records add column slug text;
      update tk_records set slug = key where kind in ('threads', 'checkpoints');
      update tk_records set slug = value->>'slug' where kind in ('bindings', 'aliases');
      update tk_records set slug = split_part(key, '|', 2) where kind = 'nativeThreads';
      create index tk_records_slug on tk_records (slug) where slug is not null;
      create index tk_records_session on tk_records ((value->>'sessionKey')) where kind = 'threads';
      create index tk_records_native_conversation on tk_records ((value->>'conversation')) where kind = 'nativeThreads';
      create index tk_records_recent on tk_records (((value->>'lastActivityAt')::bigint) desc, key) where kind = 'threads';
      analyze tk_records;`,
  },
];

/** The newest schema this code knows. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** Arbitrary, fixed: the advisory lock key of migrations. */
const MIGRATION_LOCK = 7_061_997_001;

/** Brings the database to SCHEMA_VERSION; returns the migrations applied. Refuses a newer schema. */
export async function migrate(pool: pg.Pool, where: string): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query("create table if not exists tk_schema (version integer not null)");
    const current = await schemaVersion(client);
    if (current > SCHEMA_VERSION) {
      throw new BotError(
        ErrorCode.Config,
        `The Postgres store at ${where} has schema version ${current}, newer than this threadkeeper knows (${SCHEMA_VERSION}). Run the newer threadkeeper, or point STORE_URL at another database.`,
      );
    }
    const applied: number[] = [];
    for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
      await client.query("begin");
      try {
        await client.query(migration.sql);
        await client.query("delete from tk_schema");
        await client.query("insert into tk_schema (version) values ($1)", [migration.version]);
        await client.query("commit");
      } catch (error) {
        await client.query("rollback");
        throw error;
      }
      applied.push(migration.version);
    }
    return applied;
  } finally {
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

async function schemaVersion(client: pg.PoolClient): Promise<number> {
  const result = await client.query<{ version: number }>("select max(version) as version from tk_schema");
  return result.rows[0]?.version ?? 0;
}
