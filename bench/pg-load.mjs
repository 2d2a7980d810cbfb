/**
 * The `load` child of the `postgres` section: `node <npm start's flags> bench/pg-load.mjs <dist> <STORE_URL>`.
 * Plain JavaScript on the shipped bot (dist/), for the reason bench/store-load.mjs gives. Connects and
 * migrates (preparePostgres), reads RSS, then opens the Postgres store (loadMs: every row of tk_records read
 * and validated into memory, as the bot does once it holds the lease), releases the load's garbage as
 * src/main.ts does, holds the store 1.5 s, and reads RSS again. Prints one JSON line.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dist = "", url = ""] = process.argv.slice(2);
const load = (module) => import(pathToFileURL(join(dist, "src", module)).href);
const { openPostgresStore, preparePostgres } = await load("store/postgres/index.js");
const { releaseLoadGarbage } = await load("memory.js");
const { silentLogger } = await load("core/log.js");

const pool = await preparePostgres(url, silentLogger);
releaseLoadGarbage();
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const store = await openPostgresStore({ pool, logger: silentLogger });
const loaded = performance.now();
releaseLoadGarbage();
await new Promise((resolve) => setTimeout(resolve, 1500));
const { rss, heapUsed } = process.memoryUsage();
const threadsLoaded = Object.keys(store.state.threads).length;
await store.close();
console.log(
  JSON.stringify({
    loadMs: loaded - started,
    rssMb: rss / 1e6,
    rssGrowthMb: (rss - rssBefore) / 1e6,
    heapMb: heapUsed / 1e6,
    threadsLoaded,
  }),
);
