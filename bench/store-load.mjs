/**
 * The `load` child of the `store` section: `node <npm start's flags> bench/store-load.mjs <dist> <store path>`.
 * Plain JavaScript on purpose: it measures the store as the shipped bot (dist/, built by the section) holds
 * it, and a .ts entry would load Node's TypeScript stripper into the very process being measured (15–30 MB).
 * Opens the store (loadMs), releases the load's garbage as src/main.ts does (releaseMs), holds the store
 * 1.5 s as a running bot does, then reads RSS. Prints one JSON line.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dist = "", path = ""] = process.argv.slice(2);
const load = (module) => import(pathToFileURL(join(dist, "src", module)).href);
const { openJsonStore } = await load("store/index.js");
const { releaseLoadGarbage } = await load("memory.js");

const started = performance.now();
const store = await openJsonStore({ path });
const loaded = performance.now();
releaseLoadGarbage();
const releaseMs = performance.now() - loaded;
await new Promise((resolve) => setTimeout(resolve, 1500));
const { rss, heapUsed } = process.memoryUsage();
const threadsLoaded = Object.keys(store.state.threads).length;
await store.close();
console.log(
  JSON.stringify({ loadMs: loaded - started, releaseMs, rssMb: rss / 1e6, heapMb: heapUsed / 1e6, threadsLoaded }),
);
