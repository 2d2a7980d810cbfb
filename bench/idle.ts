/**
 * Section `idle`: the bot as `npm start` runs it (`node dist/src/main.js` with npm start's flags, a child
 * process) with both channels on — Telegram against the fake Bot API (long polling), Discord against the
 * fake Discord (gateway socket + REST) — connected to an in-process fake OpenClaw gateway, with 1,000
 * threads in its store. Once everything is connected and a few seconds have passed, RSS is sampled from
 * /proc. Baseline: an empty Node process (`setInterval`) on the same runtime.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDist } from "../scripts/build.ts";
import { startFlags } from "../scripts/start-flags.ts";
import { FakeDiscord } from "../test/fakes/fake-discord.ts";
import { startFakeGateway } from "../test/fakes/fake-gateway.ts";
import { FakeTelegram } from "../test/fakes/fake-telegram.ts";
import { fmt, type SectionResult } from "./lib/report.ts";
import { seedStore, writeSeededStore } from "./lib/seed.ts";
import { median, round, rssOfPid, sleep, until } from "./lib/stats.ts";

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const THREADS = 1_000;
const SETTLE_MS = 5_000;
const SAMPLES = 20;

/** RSS samples of `pid`, every 250 ms. */
async function sampleRss(pid: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const rss = await rssOfPid(pid);
    if (rss !== undefined) samples.push(rss);
    await sleep(250);
  }
  return samples;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

interface World {
  gw: Awaited<ReturnType<typeof startFakeGateway>>;
  tg: FakeTelegram;
  discord: FakeDiscord;
  storePath: string;
}

/** Starts the bot from `entry`, waits until it is connected everywhere and idle, samples its RSS. */
async function measureBot(world: World, entry: string): Promise<{ rss: number[]; connectMs: number }> {
  const { gw, tg, discord } = world;
  const env = {
    ...{
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      LOG_LEVEL: "warn",
      STORE_PATH: world.storePath,
    },
    ...{ OPENCLAW_GATEWAY_URL: gw.url, OPENCLAW_GATEWAY_TOKEN: gw.token },
    ...{ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot },
    ...{ DISCORD_BOT_TOKEN: discord.token, DISCORD_API_ROOT: discord.apiRoot },
  };
  let stderr = "";
  const bot = spawn(process.execPath, [...startFlags(), entry], {
    cwd: repo,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  bot.stderr?.on("data", (chunk) => {
    stderr = (stderr + String(chunk)).slice(-4000);
  });
  const connections = gw.connections;
  const sessions = discord.gateway.readySessions;
  try {
    const started = performance.now();
    // A new gateway connection, a held long poll, and a new identified Discord session.
    await until(
      () => gw.connections > connections && tg.updates.polling && discord.gateway.readySessions > sessions,
      "the bot to connect to the gateway, Telegram and Discord",
      60_000,
      50,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nbot stderr: ${stderr}`);
    });
    const connectMs = performance.now() - started;
    await sleep(SETTLE_MS);
    return { rss: await sampleRss(bot.pid ?? 0), connectMs };
  } finally {
    await stop(bot);
    // Let the fakes notice the disconnects before the next bot connects.
    await until(
      () => gw.connections <= connections && discord.gateway.readySessions <= sessions,
      "disconnects",
      10_000,
      50,
    ).catch(() => undefined);
  }
}

/** Runs the section. */
export async function run(): Promise<SectionResult> {
  const dir = mkdtempSync(join(tmpdir(), "tk-bench-idle-"));
  const gw = await startFakeGateway();
  const tg = await FakeTelegram.start();
  const discord = await FakeDiscord.start();
  const storePath = join(dir, "threads.json");
  await writeSeededStore(storePath, seedStore(THREADS));
  const empty = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  try {
    const world = { gw, tg, discord, storePath };
    console.log("idle: the bot as npm start runs it (node dist/src/main.js)…");
    const ours = await measureBot(world, buildDist());
    const base = await sampleRss(empty.pid ?? 0);
    console.log("idle: the same bot run from its TypeScript sources (node src/main.ts)…");
    const typescript = await measureBot(world, join(repo, "src", "main.ts"));
    const rss = median(ours.rss);
    const baseline = median(base);
    const typescriptRss = median(typescript.rss);
    return {
      figures: { rssMb: round(rss, 1) },
      rows: [
        {
          figure: "idle.rssMb (median of samples)",
          ours: fmt(rss, 1),
          baseline: fmt(baseline, 1),
          ratio: fmt(rss / baseline, 2),
          target: "≤ 120",
          met: rss <= 120,
        },
        {
          figure: "  min / max sample (MB)",
          ours: `${fmt(Math.min(...ours.rss), 1)} / ${fmt(Math.max(...ours.rss), 1)}`,
        },
        { figure: "  start → connected everywhere (s)", ours: fmt(ours.connectMs / 1000, 1) },
        {
          figure: "  same bot from src/*.ts (MB)",
          ours: fmt(typescriptRss, 1),
          ratio: fmt(typescriptRss / rss, 2),
        },
      ],
      notes: [
        `bot = node dist/src/main.js with npm start's flags (${startFlags().join(" ")}), ${THREADS} threads in its store; RSS from /proc sampled ${SAMPLES}× every 250 ms after ${SETTLE_MS / 1000} s idle`,
        "baseline = an empty Node process on the same runtime (setInterval only)",
        "same bot from src/*.ts = the same flags on the TypeScript sources (diagnosis: what Node's run-time type stripping would cost; npm start builds dist/ first instead)",
      ],
    };
  } finally {
    await stop(empty);
    await discord.close();
    await tg.stop();
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
