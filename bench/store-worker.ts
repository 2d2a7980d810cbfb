/**
 * Child process of the `store` section (one fresh process per measurement, so every load is cold; the
 * cold loads themselves run in bench/store-load.mjs, on the shipped JavaScript):
 *   seed <path> <threads> [lean]    writes a seeded store (bench/lib/seed.ts)
 *   measure <path> <threads> json   lookups, journal writes, binds, a 1,000-bind burst on our store
 *   plain <path> <target>           the store at <path> as the naive lowdb store keeps it: the state as plain JSON
 *   measure <path> <threads> naive  journal writes on the naive lowdb store (same data, made by `plain`)
 * Prints one JSON line with the figures (ms unless named otherwise).
 */
import { statSync, writeFileSync } from "node:fs";
import { silentLogger } from "../src/core/log.ts";
import type { StorePort } from "../src/core/ports.ts";
import { ThreadRegistry } from "../src/core/threads/registry.ts";
import { openJsonStore, openNaiveStore } from "../src/store/index.ts";
import { instantGateway } from "./lib/instant-gateway.ts";
import { prng, seedStore, threadName, writeSeededStore } from "./lib/seed.ts";
import { percentile, rssMb } from "./lib/stats.ts";
import { turnWriter } from "./lib/turn-write.ts";

const [mode, path = "", count = "0", kind = "json"] = process.argv.slice(2);
const threads = Number(count);
const clock = { now: Date.now };

async function seed(): Promise<Record<string, number>> {
  const started = performance.now();
  await writeSeededStore(path, seedStore(threads, { lean: kind === "lean" }));
  return { seedMs: performance.now() - started, fileBytes: statSync(path).size };
}

/** Our snapshot writes records as columns; lowdb's JSONFile holds the state as one plain JSON value. */
async function plain(): Promise<Record<string, number>> {
  const store = await openJsonStore({ path });
  writeFileSync(count, JSON.stringify(store.state));
  await store.close();
  return { fileBytes: statSync(count).size };
}

/** Times `run` `count` times, one call at a time. */
async function timed(count: number, run: (i: number) => Promise<unknown> | unknown): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await run(i);
    samples.push(performance.now() - started);
  }
  return samples;
}

/** Per-turn durable writes exactly as the relay makes them (bench/lib/turn-write.ts). */
async function journalWrites(store: StorePort, rounds: number, close: boolean): Promise<number[]> {
  const writer = turnWriter(store, threads);
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) samples.push(await writer.write(close));
  return samples;
}

async function measure(): Promise<Record<string, number>> {
  const naive = kind === "naive";
  const started = performance.now();
  const store: StorePort = naive ? await openNaiveStore(path) : await openJsonStore({ path });
  const loadMs = performance.now() - started;
  const journalRounds = naive ? (threads >= 100_000 ? 5 : threads >= 10_000 ? 20 : 50) : 1000;
  const journal = await journalWrites(store, journalRounds, !naive);
  const out: Record<string, number> = {
    loadMs,
    journalP50: percentile(journal, 0.5),
    journalP99: percentile(journal, 0.99),
    journalRounds,
  };
  if (!naive) Object.assign(out, await registryFigures(store));
  out.rssMb = rssMb();
  await store.close();
  return out;
}

/** Lookups, binds and a burst of binds through the core's ThreadRegistry on our store. */
async function registryFigures(store: StorePort): Promise<Record<string, number>> {
  const registry = new ThreadRegistry({
    store,
    gateway: instantGateway(true),
    agentId: "main",
    policy: "auto",
    clock,
    logger: silentLogger,
    turns: { isActive: () => false, queued: () => [] },
  });
  const names = Array.from({ length: threads }, (_, i) => threadName(i));
  const conversations = Object.keys(store.state.bindings);
  const random = prng(11);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
  const resolve = await timed(20_000, (i) => {
    // Half by name (as /thread and /resume <name> resolve), half by conversation (every message).
    const found = i % 2 === 0 ? registry.byName(pick(names)) : registry.boundThread(pick(conversations));
    if (!found) throw new Error("store bench: lookup missed");
  });
  const sender = { id: "telegram:42", name: "bench" };
  // Durable /thread binds: alternately a new thread and an existing one, each from a new conversation.
  const attach = (i: number, tag: string) =>
    registry.attach({
      name: i % 2 === 0 ? `bench ${tag} ${i}` : pick(names),
      place: { conversation: `discord:77:${tag}${i}`, direct: false },
      sender,
    });
  const binds = await timed(500, (i) => attach(i, "b"));
  const burstStarted = performance.now();
  await Promise.all(Array.from({ length: 1000 }, (_, i) => attach(i, "c")));
  const burstMs = performance.now() - burstStarted;
  return {
    resolveP50: percentile(resolve, 0.5),
    resolveP99: percentile(resolve, 0.99),
    bindP50: percentile(binds, 0.5),
    bindP99: percentile(binds, 0.99),
    burstMs,
  };
}

const run = mode === "seed" ? seed : mode === "plain" ? plain : mode === "measure" ? measure : undefined;
if (!run || !path) {
  console.error("usage: store-worker.ts seed|plain|measure <path> <threads>|<target> [json|naive|lean]");
  process.exit(2);
}
console.log(JSON.stringify(await run()));
process.exit(0);
