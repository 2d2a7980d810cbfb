import type { StoreState } from "../../core/model.ts";
import { slugOfRecord } from "./residency.ts";

/** The statements of the Postgres store (pg-store.ts), each one round trip. */

/** Top-level fields (seq, gatewayBootId, version) are rows of this kind. */
export const SCALARS = "$";

/** The lease row as this process holds it, locked until the statement's transaction ends. */
const FENCED = "select 1 from tk_leases where name = $1 and holder = $2 and epoch = $3 for share";
/** No lease (one process, tests): the parameters are there but unused. */
const UNFENCED = "select 1 where $1::text is not null and $2::text is not null and $3::bigint is not null";

/**
 * One statement, so one round trip and its own transaction: the fence's row lock, the deletes and
 * the upserts. Data-modifying WITH clauses always run; each writes only if the fence row matched.
 */
export function writeSql(fenced: boolean): string {
  return `with fence as (${fenced ? FENCED : UNFENCED}),
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
    select (select count(*) from fence)::int as fenced`;
}

/**
 * One statement: every record of each thread the wanted conversations, names and session keys reach.
 * The lateral join reads each thread's records by the slug index whatever the planner estimates:
 * `offset 0` keeps it a per-slug lookup, where a join planned before statistics exist (a database
 * just loaded) scanned a million rows for each read.
 */
export const LOAD_SQL = `
  with wanted(slug) as (
    select value->>'slug' from tk_records where kind = 'bindings' and key = any($1::text[])
    union select slug from tk_records where kind = 'nativeThreads' and value->>'conversation' = any($1::text[])
    union select unnest($2::text[])
    union select value->>'slug' from tk_records where kind = 'aliases' and key = any($2::text[])
    union select key from tk_records where kind = 'threads' and value->>'sessionKey' = any($3::text[])
  )
  select r.kind, r.key, r.value, r.slug
  from (select distinct slug from wanted where slug is not null) w
  cross join lateral (select kind, key, value, slug from tk_records where slug = w.slug offset 0) r`;

/** Most recently active first, by the tk_records_recent index; `strpos` so `%` and `_` are plain text. */
export const FIND_SQL = `
  select key from tk_records
  where kind = 'threads' and ($1 = '' or strpos(key, $1) > 0 or strpos(lower(value->>'name'), $1) > 0)
  order by (value->>'lastActivityAt')::bigint desc, key limit $2`;

/** A row LOAD_SQL returns. */
export interface LoadedRow {
  kind: string;
  key: string;
  value: unknown;
  slug: string | null;
}

/** What a batch writes: per record kind, the keys touched since the last commit. */
export type Dirty = Map<string, Set<string>>;

/** The parameters $4… of writeSql for the dirty entries, as memory holds them now (absent ones are deleted). */
export function writeRows(state: Readonly<StoreState>, dirty: Dirty): unknown[] {
  const upserts = {
    kinds: [] as string[],
    keys: [] as string[],
    values: [] as string[],
    slugs: [] as (string | null)[],
  };
  const deletes = { kinds: [] as string[], keys: [] as string[] };
  const fields = state as unknown as Record<string, unknown>;
  for (const [kind, keys] of dirty) {
    const source = kind === SCALARS ? fields : (fields[kind] as Record<string, unknown>);
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
  return [deletes.kinds, deletes.keys, upserts.kinds, upserts.keys, upserts.values, upserts.slugs];
}
