/**
 * The `load` child of the `postgres` section:
 * `node <npm start's flags> bench/pg-load.mjs <dist> <STORE_URL> <probes.json> <budget ms>`.
 * Plain JavaScript on the shipped bot (dist/), for the reason bench/store-load.mjs gives. Connects and
 * migrates (preparePostgres), reads RSS, then:
 * - loadMs: openPostgresStore, what starts the bot (every record but the threads' own, then the threads
 *   those records pin);
 * - releases the load's garbage as src/main.ts does, holds the store 1.5 s, reads RSS;
 * - resolves each probe (a seeded conversation, each a different thread, none in memory yet): the time of
 *   `await store.load({ conversations: [c] })` plus reading the binding and its thread from
 *   `store.state`, which must both be there (and each resolve must have gone to Postgres), or this fails;
 *   resolving stops when the budget is spent (slow resolves must not stall the section: `resolves` says
 *   how many were done);
 * - releases garbage again, 1.5 s, reads RSS and heap.
 * Prints one JSON line.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dist = "", url = "", probesPath = "", budget = "Infinity"] = process.argv.slice(2);
const load = (module) => import(pathToFileURL(join(dist, "src", module)).href);
const { openPostgresStore, preparePostgres } = await load("store/postgres/index.js");
const { releaseLoadGarbage } = await load("memory.js");
const { silentLogger } = await load("core/log.js");
/** @type {{ conversation: string, slug: string }[]} */
const probes = JSON.parse(readFileSync(probesPath, "utf8"));

const settle = async () => {
  releaseLoadGarbage();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return process.memoryUsage();
};
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

const pool = await preparePostgres(url, silentLogger);
releaseLoadGarbage();
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const store = await openPostgresStore({ pool, logger: silentLogger });
const loadMs = performance.now() - started;
const threadsAtStart = Object.keys(store.state.threads).length;
const afterLoad = await settle();

const readsBefore = store.reads;
const resolveMs = [];
const deadline = performance.now() + Number(budget);
for (const { conversation, slug } of probes) {
  if (performance.now() > deadline) break;
  const t = performance.now();
  await store.load({ conversations: [conversation] });
  const binding = store.state.bindings[conversation];
  const thread = binding === undefined ? undefined : store.state.threads[binding.slug];
  resolveMs.push(performance.now() - t);
  if (binding?.slug !== slug || thread?.slug !== slug) {
    throw new Error(`pg-load: ${conversation} resolved to ${binding?.slug} / ${thread?.slug}, not ${slug}`);
  }
}
const reads = store.reads - readsBefore;
if (reads !== resolveMs.length)
  throw new Error(`pg-load: ${reads} reads from Postgres for ${resolveMs.length} resolves`);
const { rss, heapUsed } = await settle();
const threadsResident = Object.keys(store.state.threads).length;
await store.close();
const sorted = [...resolveMs].sort((a, b) => a - b);
console.log(
  JSON.stringify({
    loadMs,
    rssLoadMb: afterLoad.rss / 1e6,
    rssLoadGrowthMb: (afterLoad.rss - rssBefore) / 1e6,
    resolves: resolveMs.length,
    resolveSeconds: resolveMs.reduce((a, b) => a + b, 0) / 1000,
    resolveP50Ms: quantile(sorted, 0.5),
    resolveP99Ms: quantile(sorted, 0.99),
    resolveMaxMs: sorted.at(-1),
    rssMb: rss / 1e6,
    rssGrowthMb: (rss - rssBefore) / 1e6,
    heapMb: heapUsed / 1e6,
    threadsAtStart,
    threadsResident,
  }),
);
