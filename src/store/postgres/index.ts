/**
 * The Postgres side of the store (STORE_URL): connection, schema, deployment record, lease, store.
 * @module
 */
import type pg from "pg";
import { BotError, ErrorCode } from "../../core/errors.ts";
import type { Logger } from "../../core/ports.ts";
import { connectError, connectPool, describeUrl } from "./connect.ts";
import { migrate } from "./schema.ts";

export { connectPool, describeUrl, openPool } from "./connect.ts";
export { claimDeployment } from "./deployment.ts";
export { type Fence, Lease, type LeaseOptions } from "./lease.ts";
export { openPostgresStore, PostgresStore, type PostgresStoreOptions } from "./pg-store.ts";
export { MIGRATIONS, migrate, SCHEMA_VERSION } from "./schema.ts";

/**
 * Connects to STORE_URL and brings its schema up to date: the first step of a process on Postgres.
 * Every failure is a BotError(CONFIG) in one line (exit 78), and nothing is written before the
 * connection and the schema version are known to be good.
 */
export async function preparePostgres(url: string, logger: Logger): Promise<pg.Pool> {
  const where = describeUrl(url);
  const pool = await connectPool(url, logger);
  try {
    const applied = await migrate(pool, where);
    if (applied.length > 0) logger.info("postgres: schema migrated", { database: where, applied });
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof BotError) throw error;
    throw error instanceof Error && "code" in error
      ? connectError(url, error)
      : new BotError(ErrorCode.Config, String(error));
  }
}
