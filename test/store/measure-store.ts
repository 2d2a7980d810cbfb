/**
 * Quick local measurement of the JSON store at scale (not a test, not the benchmark).
 * Usage: node test/store/measure-store.ts [threads=100000]
 * Seeds a store with N threads, each bound to a conversation, then measures in fresh
 * processes: load, per-turn journal writes, durable binds, a burst of 1,000 concurrent
 * binds, file sizes and RSS; and the naive lowdb store on the same file for comparison.
 * @module
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { StoreState } from "../../src/core/model.ts";
import type { MergePatch, StorePort } from "../../src/core/ports.ts";
import { openJsonStore } from "../../src/store/json-store.ts";
import { openNaiveStore } from "../../src/store/naive-store.ts";

const self = fileURLToPath(import.meta.url);
const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
const now = 1_760_000_000_000;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 100) / 100;
}

/** A thread with every field a busy thread has, bound to one Telegram forum topic. */
function seedPatch(count: number): MergePatch<StoreState> {
  const threads: Record<string, unknown> = {};
  const bindings: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const slug = `project-${i}-budget-planning`;
    const name = `Project ${i} Budget Planning`;
    threads[slug] = {
      ...{ slug, name, agentId: "main", sessionKey: `agent:main:named:${slug}`, label: name },
      ...{ parentSessionKey: "agent:main:named:threadkeeper-root", createdAt: now - i * 60_000 },
      ...{ createdBy: `telegram:${500_000_000 + i}`, lastActivityAt: now - i * 1000, messageCount: i % 700 },
      state: "idle",
    };
    const conversation = `telegram:-100${1_900_000_000 + i}:topic:${(i % 500) + 2}`;
    bindings[conversation] = { slug, boundAt: now - i * 60_000, boundBy: `telegram:${500_000_000 + i}` };
  }
  return { threads, bindings } as MergePatch<StoreState>;
}

async function seed(path: string, count: number): Promise<void> {
  const started = performance.now();
  const store = await openJsonStore({ path });
  await store.update(seedPatch(count));
  await store.close();
  console.log(JSON.stringify({ phase: "seed", threads: count, ms: Math.round(performance.now() - started) }));
}

function journalPatch(store: StorePort, i: number): MergePatch<StoreState> {
  const turnId = randomUUID();
  const slug = `project-${i}-budget-planning`;
  const text = "Can you compare the Q3 forecast with actuals and flag anything over 10%? ".repeat(3);
  const entry = { turnId, slug, sessionKey: `agent:main:named:${slug}`, conversation: `telegram:-100${i}` };
  const more = { senderId: "telegram:42", text, kind: "message", createdAt: now, seq: store.state.seq + 1 };
  return { journal: { [turnId]: { ...entry, ...more } }, seq: store.state.seq + 1 } as MergePatch<StoreState>;
}

function bindPatch(i: number): MergePatch<StoreState> {
  const slug = `project-${i}-budget-planning`;
  return {
    bindings: { [`discord:77:${900_000 + i}`]: { slug, boundAt: now, boundBy: "discord:42" } },
    threads: { [slug]: { lastActivityAt: now + i } },
  };
}

/** The state as the naive lowdb store keeps it (one plain JSON value; ours writes records as columns). */
async function plainCopy(path: string): Promise<string> {
  const store = await openJsonStore({ path });
  const copy = `${path}.plain.json`;
  writeFileSync(copy, JSON.stringify(store.state));
  await store.close();
  return copy;
}

async function timed(count: number, run: (i: number) => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await run(i);
    samples.push(performance.now() - started);
  }
  return samples;
}

async function measure(path: string, naive: boolean): Promise<void> {
  const file = naive ? await plainCopy(path) : path;
  const started = performance.now();
  const store: StorePort = naive ? await openNaiveStore(file) : await openJsonStore({ path });
  const loadMs = Math.round(performance.now() - started);
  const rssAfterLoad = mb(process.memoryUsage().rss);
  const rounds = naive ? 6 : 2000;
  const journal = await timed(rounds, (i) => store.update(journalPatch(store, i)));
  const binds = await timed(rounds / 2, (i) => store.update(bindPatch(i)));
  // The naive store stringifies the whole file once per call, even when steno coalesces the writes.
  const burst = naive ? 10 : 1000;
  const burstStarted = performance.now();
  await Promise.all(Array.from({ length: burst }, (_, i) => store.update(bindPatch(10_000 + i))));
  const burstMs = Math.round(performance.now() - burstStarted);
  const rss = mb(process.memoryUsage().rss);
  const closeStarted = performance.now();
  await store.close();
  const result = {
    ...{ phase: naive ? "naive" : "json", loadMs, rssAfterLoad, rss, maxRss: mb(process.resourceUsage().maxRSS * 1e3) },
    ...{ journalP50: percentile(journal, 0.5), journalP99: percentile(journal, 0.99) },
    ...{ bindP50: percentile(binds, 0.5), bindP99: percentile(binds, 0.99), burst, burstMs },
    closeMs: Math.round(performance.now() - closeStarted),
    snapshotMb: mb(statSync(file).size),
  };
  console.log(JSON.stringify(result));
}

const [phase, path, count] = process.argv.slice(2);
if (phase === "seed" && path) await seed(path, Number(count));
else if ((phase === "json" || phase === "naive") && path) await measure(path, phase === "naive");
else {
  const threads = Number(phase ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), "threadkeeper-measure-"));
  const file = join(dir, "threads.json");
  try {
    for (const step of [["seed", String(threads)], ["json"], ["json"], ["naive"]]) {
      const [name, ...rest] = step as [string, ...string[]];
      execFileSync(process.execPath, [self, name, file, ...rest], { stdio: "inherit" });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
