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
import type { Seeded } from "./seed.ts";

const here = dirname(fileURLToPath(import.meta.url));
/** Rows per insert statement while seeding. */
const BATCH = 20_000;
const SCALARS = "$";

/** Writes a seeded state into tk_records, one `insert … select from unnest(…)` per batch of rows. */
export async function insertSeeded(pool: pg.Pool, seeded: Seeded): Promise<number> {
  const rows: [string, string, string][] = [];
  for (const [field, value] of Object.entries(seeded.patch as Record<string, unknown>)) {
    if (value !== null && typeof value === "object") {
      for (const [key, entry] of Object.entries(value)) rows.push([field, key, JSON.stringify(entry)]);
    } else rows.push([SCALARS, field, JSON.stringify(value)]);
  }
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    await pool.query(
      "insert into tk_records (kind, key, value) select * from unnest($1::text[], $2::text[], $3::jsonb[])",
      [batch.map((r) => r[0]), batch.map((r) => r[1]), batch.map((r) => r[2])],
    );
  }
  return rows.length;
}

/** A store on `url` as the active bot process holds it: migrated, seeded, the lease held, writes fenced. */
export interface ActiveStore {
  store: PostgresStore;
  lease: Lease;
  close(): Promise<void>;
}

/** Migrates the database at `url`, writes `seeded` into it, takes the lease, opens the store. */
export async function openActiveStore(url: string, seeded: Seeded): Promise<ActiveStore> {
  const pool = await preparePostgres(url, silentLogger);
  await insertSeeded(pool, seeded);
  const lease = new Lease({ pool, logger: silentLogger });
  await lease.acquire();
  const store = await openPostgresStore({ pool, logger: silentLogger, fence: lease });
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
