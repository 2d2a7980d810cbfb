/**
 * Section `store`: the JSON store at 1,000, 10,000 and 100,000 threads with realistic bindings
 * (bench/lib/seed.ts), every figure taken in fresh child processes (bench/store-worker.ts): three
 * cold loads (median loadMs, RSS while holding the store), one measuring run on our store, and one
 * on the naive lowdb store over a copy of the same file (naiveRatio = its journal write ÷ ours).
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildDist, distDir } from "../scripts/build.ts";
import { startFlags } from "../scripts/start-flags.ts";
import { fmt, type Row, type SectionResult } from "./lib/report.ts";
import { median, round } from "./lib/stats.ts";

const run$ = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const worker = join(here, "store-worker.ts");
const loadWorker = join(here, "store-load.mjs");
const SIZES = [1_000, 10_000, 100_000];
const LOADS = 5;

type Figures = Record<string, number>;

async function child(args: string[], flags: string[] = [], script = worker): Promise<Figures> {
  const { stdout } = await run$(process.execPath, [...flags, script, ...args], { maxBuffer: 1 << 20 });
  const line = stdout.trim().split("\n").at(-1) ?? "{}";
  return JSON.parse(line) as Figures;
}

/** Cold loads of `path` by the shipped JavaScript with npm start's flags (bench/store-load.mjs). */
async function loads(dist: string, path: string): Promise<Figures[]> {
  const all: Figures[] = [];
  for (let i = 0; i < LOADS; i++) all.push(await child([dist, path], startFlags(), loadWorker));
  return all;
}

interface SizeResult {
  threads: number;
  fileBytes: number;
  seedMs: number;
  loadMs: number;
  rssMb: number;
  releaseMs: number;
  heapMb: number;
  ours: Figures;
  naive: Figures;
}

async function measureSize(dist: string, dir: string, threads: number): Promise<SizeResult> {
  const path = join(dir, `threads-${threads}.json`);
  const naivePath = join(dir, `naive-${threads}.json`);
  console.log(`store: ${threads} threads: seeding…`);
  const seeded = await child(["seed", path, String(threads)]);
  await child(["plain", path, naivePath]);
  const cold = await loads(dist, path);
  console.log(`store: ${threads} threads: measuring ours, then the naive store…`);
  const ours = await child(["measure", path, String(threads), "json"]);
  const naive = await child(["measure", naivePath, String(threads), "naive"]);
  return {
    threads,
    fileBytes: seeded.fileBytes ?? Number.NaN,
    seedMs: seeded.seedMs ?? Number.NaN,
    loadMs: median(cold.map((l) => l.loadMs ?? Number.NaN)),
    rssMb: median(cold.map((l) => l.rssMb ?? Number.NaN)),
    releaseMs: median(cold.map((l) => l.releaseMs ?? Number.NaN)),
    heapMb: median(cold.map((l) => l.heapMb ?? Number.NaN)),
    ours,
    naive,
  };
}

/** Seeds the lean layout (threads + one binding each) and loads it: how much of load and RSS is data volume. */
async function measureLean(
  dist: string,
  dir: string,
  threads: number,
): Promise<{ fileBytes: number; loadMs: number; rssMb: number }> {
  const path = join(dir, `lean-${threads}.json`);
  console.log(`store: ${threads} threads, lean layout: seeding and loading…`);
  const seeded = await child(["seed", path, String(threads), "lean"]);
  const cold = await loads(dist, path);
  return {
    fileBytes: seeded.fileBytes ?? Number.NaN,
    loadMs: median(cold.map((l) => l.loadMs ?? Number.NaN)),
    rssMb: median(cold.map((l) => l.rssMb ?? Number.NaN)),
  };
}

function sizeRows(r: SizeResult): Row[] {
  const big = r.threads === 100_000;
  const tag = `[${r.threads / 1000}k]`;
  const ratio = (r.naive.journalP50 ?? Number.NaN) / (r.ours.journalP50 ?? Number.NaN);
  const resolveP99 = r.ours.resolveP99 ?? Number.NaN;
  const journal = r.ours.journalP50 ?? Number.NaN;
  const bind = r.ours.bindP50 ?? Number.NaN;
  const burst = r.ours.burstMs ?? Number.NaN;
  const when = (target: string, met: boolean) => (big ? { target, met } : {});
  return [
    {
      figure: `${tag} loadMs (cold, median of ${LOADS})`,
      ours: fmt(r.loadMs, 0),
      baseline: fmt(r.naive.loadMs, 0),
      ratio: fmt(r.loadMs / (r.naive.loadMs ?? Number.NaN), 2),
      ...when("≤ 800", r.loadMs <= 800),
    },
    { figure: `${tag} resolveP99Ms`, ours: fmt(resolveP99, 4), target: "≤ 0.1", met: resolveP99 <= 0.1 },
    {
      figure: `${tag} journalWriteP50Ms (p99) / naiveRatio`,
      ours: `${fmt(journal, 3)} (${fmt(r.ours.journalP99, 2)})`,
      baseline: `${fmt(r.naive.journalP50, 1)} (n=${r.naive.journalRounds})`,
      ratio: fmt(ratio, 0),
      ...when("≤ 5; ratio ≥ 10", journal <= 5 && ratio >= 10),
    },
    {
      figure: `${tag} bindP50Ms (p99)`,
      ours: `${fmt(bind, 3)} (${fmt(r.ours.bindP99, 2)})`,
      ...when("≤ 50", bind <= 50),
    },
    { figure: `${tag} burst1000Ms`, ours: fmt(burst, 0), ...when("≤ 2000", burst <= 2000) },
    { figure: `${tag} fileBytes`, ours: String(r.fileBytes) },
    { figure: `${tag} load garbage released (ms, not in loadMs)`, ours: fmt(r.releaseMs, 0) },
    {
      figure: `${tag} rssMb held (heap MB)`,
      ours: `${fmt(r.rssMb, 0)} (${fmt(r.heapMb, 0)})`,
      ...when("≤ 250", r.rssMb <= 250),
    },
  ];
}

/** Runs the section. */
export async function run(): Promise<SectionResult> {
  const results: SizeResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), "tk-bench-store-"));
  buildDist();
  const dist = distDir;
  let lean: Awaited<ReturnType<typeof measureLean>> | undefined;
  try {
    for (const threads of SIZES) {
      const sub = join(dir, String(threads));
      mkdirSync(sub);
      results.push(await measureSize(dist, sub, threads));
      rmSync(sub, { recursive: true, force: true });
    }
    lean = await measureLean(dist, dir, 100_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = results.flatMap(sizeRows);
  const top = results.at(-1);
  if (lean) {
    rows.push({
      figure: "[100k lean] fileBytes / loadMs / rssMb",
      ours: `${lean.fileBytes} / ${fmt(lean.loadMs, 0)} / ${fmt(lean.rssMb, 0)}`,
    });
  }
  const notes = [
    "realistic layout: 1–3 bindings per thread (Telegram DMs/topics, Discord channels/threads), the native topics and threads behind them, a checkpoint (task, tool calls) for 80% of threads, 2% old notices",
    "lean layout: threads + one binding each, no checkpoints (test/store/measure-store.ts's layout), to show what data volume costs",
    "baseline = the naive lowdb store (openNaiveStore: whole file rewritten per change, no fsync) on the same state, kept as lowdb keeps it (one plain JSON value)",
    "journal write = Relay.accept's durable write (entry + thread counters); bind = ThreadRegistry.attach with an instant gateway, half new threads, half re-attaches; resolve = registry.byName / boundThread, 20,000 lookups",
    `loads = bench/store-load.mjs: the shipped JavaScript (dist/) with npm start's flags (${startFlags().join(" ")}), which opens the store, releases the load's garbage as src/main.ts does (one full GC), holds the store 1.5 s, then reads RSS (Node + modules ≈ 70 MB of it)`,
    `seeding took ${results.map((r) => `${fmt(r.seedMs / 1000, 1)} s`).join(" / ")}`,
  ];
  const figures: Record<string, number | null> = top
    ? {
        threads: top.threads,
        loadMs: round(top.loadMs, 1),
        resolveP99Ms: round(top.ours.resolveP99, 4),
        journalWriteP50Ms: round(top.ours.journalP50, 3),
        bindP50Ms: round(top.ours.bindP50, 3),
        burst1000Ms: round(top.ours.burstMs, 1),
        naiveRatio: round((top.naive.journalP50 ?? Number.NaN) / (top.ours.journalP50 ?? Number.NaN), 1),
        fileBytes: top.fileBytes,
        rssMb: round(top.rssMb, 1),
      }
    : {};
  return { figures, rows, notes };
}
