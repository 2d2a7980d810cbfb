import type { Update } from "grammy/types";
import pg from "pg";
import type { Logger } from "../../core/ports.ts";
import type { UpdateQueue } from "./update-queue.ts";

/**
 * The UpdateQueue of a deployment on Postgres (STORE_URL): every process's webhook server records
 * updates in tk_telegram_updates, whichever process the load balancer chose, and the active process
 * handles them. The update_id is the primary key, so a redelivery to any process is recognised
 * (kept a day after it was handled). A put is a single-row insert: it is durable when it resolves.
 *
 * Wake-ups cross processes by LISTEN/NOTIFY on a connection of its own (reopened when Postgres
 * restarts); the consumer also re-reads the queue every second, so a lost notification only delays.
 */

const CHANNEL = "tk_telegram_updates";
const TOMBSTONE_SQL = "1 day";
const PRUNE_EVERY_MS = 60_000;
const RELISTEN_MS = 1_000;

export class PostgresUpdateQueue implements UpdateQueue {
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #logger: Logger;
  readonly #listeners = new Set<() => void>();
  #listener: pg.Client | undefined;
  #relisten: NodeJS.Timeout | undefined;
  #closed = false;
  #prunedAt = 0;

  constructor(options: { pool: pg.Pool; url: string; logger: Logger }) {
    this.#pool = options.pool;
    this.#url = options.url;
    this.#logger = options.logger;
  }

  async put(update: Update): Promise<boolean> {
    const result = await this.#pool.query(
      `with added as (
         insert into tk_telegram_updates (update_id, body) values ($1, $2::jsonb)
         on conflict (update_id) do nothing returning update_id
       )
       select pg_notify($3, '') from added`,
      [update.update_id, JSON.stringify(update), CHANNEL],
    );
    const added = result.rowCount === 1;
    if (added) for (const listener of this.#listeners) listener();
    return added;
  }

  async pending(limit: number): Promise<Update[]> {
    const result = await this.#pool.query<{ body: Update }>(
      "select body from tk_telegram_updates where done_at is null order by update_id limit $1",
      [limit],
    );
    return result.rows.map((row) => row.body);
  }

  async done(updateId: number): Promise<void> {
    await this.#pool.query("update tk_telegram_updates set done_at = now(), body = null where update_id = $1", [
      updateId,
    ]);
    if (Date.now() - this.#prunedAt > PRUNE_EVERY_MS) {
      this.#prunedAt = Date.now();
      await this.#pool.query(`delete from tk_telegram_updates where done_at < now() - interval '${TOMBSTONE_SQL}'`);
    }
  }

  onPut(listener: () => void): () => void {
    this.#listeners.add(listener);
    if (this.#listener === undefined && this.#relisten === undefined) void this.#listen();
    return () => this.#listeners.delete(listener);
  }

  /** Stops listening for other processes' puts. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#relisten);
    await this.#listener?.end().catch(() => undefined);
    this.#listener = undefined;
  }

  async #listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url });
    const again = () => {
      if (this.#listener !== client || this.#closed) return;
      this.#listener = undefined;
      client.end().catch(() => undefined);
      this.#relisten = setTimeout(() => {
        this.#relisten = undefined;
        void this.#listen();
      }, RELISTEN_MS);
    };
    this.#listener = client;
    client.on("error", again);
    client.on("end", again);
    client.on("notification", () => {
      for (const listener of this.#listeners) listener();
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
    } catch (error) {
      this.#logger.warn("telegram: cannot listen for queued updates; re-reading every second", {
        error: error instanceof Error ? error.message : String(error),
      });
      again();
    }
  }
}
