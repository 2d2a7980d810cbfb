import pg from "pg";
import { BotError, ErrorCode } from "../../core/errors.ts";
import type { Logger } from "../../core/ports.ts";

/**
 * Connecting to the deployment's Postgres (STORE_URL). A failure to reach it at start is a
 * configuration problem: one line that names the database (never the password) and exit 78.
 */

/** The URL without its password, for messages and logs. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ""}${parsed.pathname}`;
  } catch {
    return "(unparsable STORE_URL)";
  }
}

/** Postgres SQLSTATEs and Node socket codes worth a sentence of their own. */
const EXPLAINED: Readonly<Record<string, string>> = {
  "28P01": "the password was refused",
  "28000": "the user may not connect",
  "3D000": "the database does not exist",
  ECONNREFUSED: "nothing listens there",
  ENOTFOUND: "the host name does not resolve",
  ETIMEDOUT: "the connection timed out",
};

/** The BotError(CONFIG) for a Postgres that cannot be used at start. */
export function connectError(url: string, error: unknown): BotError {
  const code = (error as { code?: unknown }).code;
  const why = (typeof code === "string" && EXPLAINED[code]) || (error instanceof Error ? error.message : String(error));
  return new BotError(ErrorCode.Config, `The Postgres store at ${describeUrl(url)} cannot be used: ${why}.`, {
    cause: error,
  });
}

/**
 * A small pool on STORE_URL. Its idle connections may break when Postgres restarts; the pool then
 * opens new ones on the next query, so such errors are only logged (unhandled, they would end the process).
 */
export function openPool(url: string, logger: Logger, max = 3): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  pool.on("error", (error) => logger.warn("postgres: an idle connection failed", { error: error.message }));
  return pool;
}

/** Opens a pool and proves it works, or throws connectError. */
export async function connectPool(url: string, logger: Logger, max?: number): Promise<pg.Pool> {
  const pool = openPool(url, logger, max);
  try {
    await pool.query("select 1");
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw connectError(url, error);
  }
}
