import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";
import { BotError, ErrorCode } from "../../core/errors.ts";
import type { Logger } from "../../core/ports.ts";

/**
 * The deployment's lease: the one row of tk_leases that says which bot process is active. The active
 * process polls Telegram, holds the Discord connection, runs every turn and posts every notice; the
 * others wait and take over when its lease lapses (SIGKILL) or is released (SIGTERM). Expiry is judged
 * by Postgres' clock, never the processes', and each takeover bumps the epoch, which fences the old
 * holder's writes out (every store write checks `fence` in its own statement, pg-store.ts).
 */

/** Checked in every store write, in the same statement as the write (pg-store.ts). */
export interface Fence {
  /** The lease's row and the holder and epoch this process must still hold; undefined while none is held. */
  readonly fence: { name: string; holder: string; epoch: number } | undefined;
}

export interface LeaseOptions {
  pool: pg.Pool;
  logger: Logger;
  /** The lease's row (one per deployment). */
  name?: string | undefined;
  /** Lapses this long after the last renewal (default 4 s). */
  ttlMs?: number | undefined;
  /** Renewed this often (default a quarter of the TTL). */
  renewMs?: number | undefined;
  /** A waiting process asks this often (default 250 ms). */
  pollMs?: number | undefined;
  /** Called once if a renewal finds the lease taken over by another process. */
  onLost?: ((error: BotError) => void) | undefined;
}

const DEFAULT_TTL_MS = 4_000;
const DEFAULT_POLL_MS = 250;

/** This process, as the lease names it: host, pid and a random part (pids repeat across restarts). */
export function holderName(): string {
  return `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}

export class Lease implements Fence {
  readonly holder = holderName();
  readonly name: string;
  readonly #options: LeaseOptions;
  readonly #ttlMs: number;
  #epoch: number | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: LeaseOptions) {
    this.#options = options;
    this.name = options.name ?? "deployment";
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  }

  /** The epoch held, or undefined while waiting. */
  get epoch(): number | undefined {
    return this.#epoch;
  }

  /**
   * Waits until this process holds the lease (retrying through Postgres outages), then keeps it
   * renewed. `onWaiting` is told once who holds it meanwhile. Rejects if stop() is called first.
   */
  async acquire(onWaiting?: (holder: string) => void): Promise<number> {
    let told = false;
    while (!this.#stopped) {
      const epoch = await this.#tryAcquire().catch((error: unknown) => {
        this.#options.logger.warn("lease: Postgres did not answer; asking again", { error: String(error) });
        return undefined;
      });
      if (epoch !== undefined) {
        this.#epoch = epoch;
        this.#renewTimer = setInterval(() => void this.#renew(), this.#options.renewMs ?? this.#ttlMs / 4);
        return epoch;
      }
      if (!told && onWaiting) {
        told = true;
        const holder = await this.holderNow().catch(() => undefined);
        onWaiting(holder ?? "another process");
      }
      await new Promise((resolve) => setTimeout(resolve, this.#options.pollMs ?? DEFAULT_POLL_MS));
    }
    throw new BotError(ErrorCode.LeaseLost, "Stopped while waiting for the deployment's lease.");
  }

  /** Who holds the lease now (undefined: nobody, or it lapsed). */
  async holderNow(): Promise<string | undefined> {
    const result = await this.#options.pool.query<{ holder: string }>(
      "select holder from tk_leases where name = $1 and expires_at > now()",
      [this.name],
    );
    return result.rows[0]?.holder;
  }

  get fence(): { name: string; holder: string; epoch: number } | undefined {
    return this.#epoch === undefined ? undefined : { name: this.name, holder: this.holder, epoch: this.#epoch };
  }

  /** Stops renewing and lets the lease go at once, so a waiting process takes over without waiting for expiry. */
  async release(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#renewTimer);
    if (this.#epoch === undefined) return;
    await this.#options.pool
      .query(
        "update tk_leases set expires_at = now() - interval '1 second' where name = $1 and holder = $2 and epoch = $3",
        [this.name, this.holder, this.#epoch],
      )
      .catch((error: unknown) => this.#options.logger.warn("lease: not released", { error: String(error) }));
    this.#epoch = undefined;
  }

  /** Stops renewing (or waiting) without releasing: for a process that lost the lease. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#renewTimer);
  }

  async #tryAcquire(): Promise<number | undefined> {
    const result = await this.#options.pool.query<{ epoch: string }>(
      `insert into tk_leases (name, holder, epoch, expires_at) values ($1, $2, 1, now() + $3 * interval '1 millisecond')
       on conflict (name) do update
         set holder = excluded.holder, epoch = tk_leases.epoch + 1, expires_at = excluded.expires_at
         where tk_leases.expires_at <= now()
       returning epoch`,
      [this.name, this.holder, this.#ttlMs],
    );
    const epoch = result.rows[0]?.epoch;
    return epoch === undefined ? undefined : Number(epoch);
  }

  async #renew(): Promise<void> {
    if (this.#stopped || this.#epoch === undefined) return;
    try {
      const result = await this.#options.pool.query(
        "update tk_leases set expires_at = now() + $4 * interval '1 millisecond' where name = $1 and holder = $2 and epoch = $3",
        [this.name, this.holder, this.#epoch, this.#ttlMs],
      );
      if (result.rowCount === 0 && !this.#stopped) this.#lost();
    } catch (error) {
      // Postgres away: nobody else can take the lease meanwhile either; the next renewal tells.
      this.#options.logger.warn("lease: not renewed (Postgres did not answer)", { error: String(error) });
    }
  }

  #lost(): void {
    this.stop();
    this.#options.onLost?.(
      new BotError(ErrorCode.LeaseLost, "Another bot process took the deployment's lease over; this one stops."),
    );
  }
}
