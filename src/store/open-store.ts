import type pg from "pg";
import type { Config } from "../config/env.ts";
import type { BotError } from "../core/errors.ts";
import type { Logger, StorePort } from "../core/ports.ts";
import { openJsonStore } from "./json-store.ts";
import { claimDeployment, describeUrl, Lease, openPostgresStore, preparePostgres } from "./postgres/index.ts";

/**
 * The store a process runs on, chosen by the configuration: the JSON file (one process, the default)
 * or Postgres (STORE_URL: any number of processes, one active at a time, the others standing by).
 */
export interface OpenedStore {
  store: StorePort;
  /** Flushes, lets the lease go (Postgres) so a standby takes over at once, and closes. */
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  config: Pick<Config, "STORE_PATH" | "STORE_URL" | "OPENCLAW_GATEWAY_URL">;
  logger: Logger;
  /** Postgres: another process took the lease over; this one must stop acting at once. */
  onLeaseLost: (error: BotError) => void;
  /** Postgres: called with the lease when this process starts waiting, so a signal can stop the wait. */
  onLease?: ((lease: Lease) => void) | undefined;
  /** Postgres: what a process does before it waits for the lease (standbys too): the webhook front. */
  beforeLease?: ((database: { pool: pg.Pool; url: string }) => Promise<void>) | undefined;
}

export async function openStore(options: OpenStoreOptions): Promise<OpenedStore> {
  const { config, logger } = options;
  if (config.STORE_URL === undefined) {
    const store = await openJsonStore({ path: config.STORE_PATH, logger });
    return { store, close: () => store.close() };
  }
  return openOnPostgres(config.STORE_URL, options);
}

/**
 * Postgres: schema, deployment record, then the lease. The state is loaded only once the lease is
 * held, so a standby holds nothing that could go stale, and a takeover starts exactly as a bot
 * restart does (reconciling from the journal).
 */
async function openOnPostgres(url: string, options: OpenStoreOptions): Promise<OpenedStore> {
  const { config, logger } = options;
  const where = describeUrl(url);
  const pool = await preparePostgres(url, logger);
  try {
    await claimDeployment(pool, config.OPENCLAW_GATEWAY_URL, where);
    await options.beforeLease?.({ pool, url });
  } catch (error) {
    await pool.end();
    throw error;
  }
  const lease = new Lease({ pool, logger, onLost: options.onLeaseLost });
  options.onLease?.(lease);
  const epoch = await lease.acquire((holder) =>
    // warn: the console shows only warnings, and this explains why nothing happens yet.
    logger.warn("standby: another bot process is active; this one takes over when it stops", { holder }),
  );
  logger.info("active: this process holds the deployment's lease", { database: where, epoch, holder: lease.holder });
  const store = await openPostgresStore({ pool, logger, fence: lease, onLeaseLost: options.onLeaseLost }).catch(
    async (error: unknown) => {
      // A state this code cannot read: let a standby (maybe a newer bot) have the deployment.
      await lease.release();
      await pool.end().catch(() => undefined);
      throw error;
    },
  );
  return {
    store,
    async close() {
      await store.flush().catch(() => undefined);
      await lease.release();
      await store.close();
    },
  };
}
