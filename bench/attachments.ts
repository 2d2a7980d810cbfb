/**
 * Section `attachments` (issue 12): a 10 MB document a person sends on Telegram, until the `chat.send`
 * carrying it is parsed by the gateway. The bot runs as `npm start` runs it (`node dist/src/main.js` with
 * npm start's flags, a child process) against the fake Telegram and an in-process fake gateway. Baseline,
 * in the same run and on the same fake Telegram: a bare client in a process of its own
 * (bench/lib/bare-file-client.ts) that calls getFile, downloads the file from the file route into memory and
 * sends it base64 in one chat.send with the e2e RawClient, to a second fake gateway.
 *
 *   time   = update queued (bot) or IPC ask sent (bare client) → chat.send parsed by its fake gateway;
 *            rounds alternate between the two, which goes first alternating too; ratio of the medians.
 *   memory = a fresh bot process, connected, bound, one text turn, idle: VmHWM reset to its RSS
 *            (/proc/<pid>/clear_refs), one 10 MB file relayed, VmHWM read once the turn closed; the growth.
 *            The bare client is measured the same way (baseline column).
 *            Then a second file in the same processes after idling again (what stays after the first).
 * Per-phase stamps (getFile and the download request at the fake Telegram, the blob file appearing and being
 * renamed into place beside the store) show where the time goes. Diagnosis (bench/README.md):
 * TK_BENCH_TRACE=1 runs the bot with bench/lib/attachments-trace.mjs and prints its own steps, GCs and memory;
 * TK_BENCH_BOT_ARGS adds Node flags to the bot (--cpu-prof, --trace-gc…).
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, type FSWatcher, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDist } from "../scripts/build.ts";
import { startFlags } from "../scripts/start-flags.ts";
import { type FakeOpenClawGateway, startFakeGateway } from "../test/fakes/fake-gateway.ts";
import { type FakeChat, FakeTelegram, type FakeUser } from "../test/fakes/fake-telegram.ts";
import type { BareRelay, BareRelayed, BareSetup } from "./lib/bare-file-client.ts";
import { memoryOf, resetPeak, sampleRss } from "./lib/proc-memory.ts";
import { fmt, type Row, type SectionResult } from "./lib/report.ts";
import { type GatewayStamps, stampGateway } from "./lib/stamps.ts";
import { median, round, sleep, until } from "./lib/stats.ts";

const here = dirname(fileURLToPath(import.meta.url));
const repo = dirname(here);

/** "10 MB": 10 MiB, a little more than 10 MB, under the gateway's 18.6 MB and Telegram's 20 MB. */
const FILE_BYTES = 10 * 1024 * 1024;
/** Fresh bot (and bare client) processes, each relaying its first file, for the memory figure. */
const MEMORY_ROUNDS = 3;
/** Unmeasured and measured timing rounds per side, on the warm processes. */
const WARMUP = 2;
const ROUNDS = 15;
const SETTLE_MS = 3_000;
const SAMPLE_EVERY_MS = 5;
/** Quiet time between rounds: the previous turn's answer and clean-up are done. */
const PAUSE_MS = 250;
const TIME_TARGET = 1.2;
const MEMORY_TARGET_MB = 25;

const alice: FakeUser = { id: 101, is_bot: false, first_name: "Alice", username: "alice" };
const dm: FakeChat = { id: 101, type: "private", first_name: "Alice" };
const FILE_NAME = "quarterly-report.bin";
const MIME = "application/octet-stream";

/** performance.now() stamps of one round, as the fakes and the blob folder see it. */
interface Stamps {
  getFileAt?: number | undefined;
  downloadAt?: number | undefined;
  blobOpenedAt?: number | undefined;
  blobStoredAt?: number | undefined;
}

/** One timed relay. */
interface Relayed {
  totalMs: number;
  /** Update queued / ask sent → getFile reached the fake Telegram. */
  pickupMs: number;
  /** getFile → the download request reached the file route. */
  pathMs: number;
  /** Download request → the blob renamed into place, fsync'ed (bot only). */
  storeMs?: number | undefined;
  /** The blob in place (bot) or the download request (bare) → chat.send parsed. */
  sendMs: number;
  /** The bare client's own phases. */
  bare?: BareRelayed | undefined;
  /** With TK_BENCH_TRACE=1: the bot's own stamps, ms after the update was queued, and its memory. */
  trace?: BotTrace | undefined;
}

/** What bench/lib/attachments-trace.mjs wrote, relative to the update being queued. */
interface BotTrace {
  /** First time of each stamped event after the update was queued (ms), fdatasync counted apart. */
  phases: Record<string, number>;
  /** The memoryUsage() sample with the largest RSS during the round (MB), and the one at the round's start. */
  peak: Record<string, number>;
  start: Record<string, number>;
  /** Memory at each phase (MB). */
  memory: Record<string, Record<string, number>>;
  /** fdatasync calls during the round and their total ms. */
  fdatasyncs: number;
  fdatasyncMs: number;
  /** Garbage collections from the update to chat.send parsed: count and ms by kind. */
  gc: Record<string, { count: number; ms: number }>;
  /** The same collections, ms after the update was queued. */
  gcs: { kind: string; at: number; ms: number }[];
  /** Writes into the blob file. */
  blobWrites: number;
}

const PEAK = "largest RSS sampled (2 ms)";
const PARSED = "chat.send parsed by the gateway";

interface TraceFile {
  events: { what: string; at: number; ms?: number; writes?: number; memory: Record<string, number> }[];
  peak: Record<string, number> & { at: number };
  gcs: { kind: string; at: number; ms: number }[];
}

/** Asks the traced bot for its stamps (SIGUSR2) and reads them; they start over. */
async function collectTrace(bot: BotProcess): Promise<TraceFile> {
  rmSync(bot.traceFile, { force: true });
  process.kill(bot.pid, "SIGUSR2");
  await until(() => existsSync(bot.traceFile), "the bot's trace", 5_000, 5);
  await sleep(20);
  const trace = JSON.parse(readFileSync(bot.traceFile, "utf8")) as TraceFile;
  rmSync(bot.traceFile, { force: true });
  return trace;
}

function traceOf(
  file: TraceFile,
  queuedAtEpoch: number,
  parsedAtEpoch: number,
  idle: Record<string, number>,
): BotTrace {
  const phases: Record<string, number> = {};
  const memory: Record<string, Record<string, number>> = {};
  let fdatasyncs = 0;
  let fdatasyncMs = 0;
  let blobWrites = 0;
  for (const event of file.events) {
    blobWrites = Math.max(blobWrites, event.writes ?? 0);
    if (event.what === "fdatasync") {
      fdatasyncs++;
      fdatasyncMs += event.ms ?? 0;
    }
    const name = event.what === "fdatasync" ? `fdatasync #${fdatasyncs} done` : event.what;
    if (phases[name] === undefined) {
      phases[name] = event.at - queuedAtEpoch;
      memory[name] = event.memory;
    }
  }
  const { at, ...peak } = file.peak;
  phases[PEAK] = at - queuedAtEpoch;
  const gc: Record<string, { count: number; ms: number }> = {};
  const gcs: BotTrace["gcs"] = [];
  for (const each of file.gcs) {
    if (each.at < queuedAtEpoch || each.at > parsedAtEpoch) continue;
    gcs.push({ ...each, at: each.at - queuedAtEpoch });
    const kind = gc[each.kind] ?? { count: 0, ms: 0 };
    kind.count++;
    kind.ms += each.ms;
    gc[each.kind] = kind;
  }
  return { phases, peak, start: idle, memory, fdatasyncs, fdatasyncMs, gc, gcs, blobWrites };
}

/** The fake Telegram's getFile and download route, stamped (the fake itself unchanged). */
function stampTelegramFiles(tg: FakeTelegram, stamps: { current: Stamps }): void {
  const files = tg.world.files;
  const getFile = files.getFile.bind(files);
  const download = files.download.bind(files);
  files.getFile = (fileId) => {
    stamps.current.getFileAt ??= performance.now();
    return getFile(fileId);
  };
  files.download = (path) => {
    stamps.current.downloadAt ??= performance.now();
    return download(path);
  };
}

/** The bot's blob folder, watched: a `.part` file appears, then the blob is renamed into place. */
function watchBlobs(dir: string, stamps: { current: Stamps }): FSWatcher {
  return watch(dir, (_event, name) => {
    const at = performance.now();
    if (!name) return;
    if (name.endsWith(".part")) stamps.current.blobOpenedAt ??= at;
    else if (stamps.current.blobOpenedAt !== undefined) stamps.current.blobStoredAt ??= at;
  });
}

interface World {
  tg: FakeTelegram;
  gwBot: FakeOpenClawGateway;
  gwBare: FakeOpenClawGateway;
  botStamps: GatewayStamps;
  bareStamps: GatewayStamps;
  stamps: { current: Stamps };
  file: Buffer;
  entry: string;
  dir: string;
  /** TK_BENCH_TRACE=1: the bot runs with bench/lib/attachments-trace.mjs (diagnosis). */
  trace: boolean;
}

/** A bot process as npm start runs it, Telegram only, with its own store and blob folder. */
interface BotProcess {
  child: ChildProcess;
  pid: number;
  blobDir: string;
  traceFile: string;
  watcher: FSWatcher;
  stderr: () => string;
}

async function startBot(world: World, n: number): Promise<BotProcess> {
  const storeDir = join(world.dir, `bot-${n}`);
  const blobDir = join(storeDir, "attachments");
  mkdirSync(blobDir, { recursive: true, mode: 0o700 });
  const { tg, gwBot } = world;
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    LOG_LEVEL: "warn",
    STORE_PATH: join(storeDir, "threads.json"),
    OPENCLAW_GATEWAY_URL: gwBot.url,
    OPENCLAW_GATEWAY_TOKEN: gwBot.token,
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.apiRoot,
    ALLOWED_USERS: `telegram:${alice.id}`,
    ...(world.trace ? { TK_TRACE_FILE: join(storeDir, "trace.json") } : {}),
  };
  let stderr = "";
  const connections = gwBot.connections;
  const trace = world.trace ? ["--import", join(here, "lib", "attachments-trace.mjs")] : [];
  // Diagnosis: more Node flags for the bot, e.g. TK_BENCH_BOT_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env.TK_BENCH_BOT_ARGS ?? "").split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...startFlags(), ...extra, ...trace, world.entry], {
    cwd: repo,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", (chunk) => {
    stderr = (stderr + String(chunk)).slice(-4000);
  });
  const bot = {
    child,
    pid: child.pid ?? 0,
    blobDir,
    traceFile: join(storeDir, "trace.json"),
    watcher: watchBlobs(blobDir, world.stamps),
    stderr: () => stderr,
  };
  try {
    await until(() => gwBot.connections > connections && tg.updates.polling, "the bot to connect", 60_000, 20);
    await botReply(world, `/thread attachments-bench-${n}`, () => true);
    await botReply(world, `warm-up text ${n}`, (text) => text === `ECHO: warm-up text ${n}`);
    return bot;
  } catch (error) {
    await stopBot(world, bot);
    throw new Error(`${String(error)}\nbot stderr: ${stderr}`);
  }
}

async function stopBot(world: World, bot: BotProcess): Promise<void> {
  bot.watcher.close();
  const { child } = bot;
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }
  await until(() => world.gwBot.connections === 0 && !world.tg.updates.polling, "the bot to disconnect", 10_000, 20);
}

/** Texts of the bot's messages in the DM (latest versions). */
function botTexts(tg: FakeTelegram): string[] {
  return tg.botMessages(dm.id).map((m) => m.message.text ?? "");
}

/** Alice writes `text`; resolves once a new bot message (or edit) matches `match`. */
async function botReply(world: World, text: string, match: (text: string) => boolean): Promise<void> {
  const before = world.tg.botMessages(dm.id).length;
  world.tg.userMessage(dm.id, alice, text);
  await until(
    () => world.tg.botMessages(dm.id).length > before && botTexts(world.tg).slice(before).some(match),
    `the bot to answer "${text}"`,
    20_000,
    10,
  );
}

/** One 10 MB document through the bot; resolves once the turn closed (answer shown, blob removed). */
async function botRound(world: World, bot: BotProcess, i: number): Promise<Relayed> {
  const { tg, botStamps } = world;
  const caption = `attachment round ${i}`;
  const stamps: Stamps = {};
  world.stamps.current = stamps;
  const idle = world.trace ? (await collectTrace(bot)).peak : undefined;
  const arrived = new Promise<number>((resolve) => {
    botStamps.onChatSend = (_key, at) => resolve(at);
  });
  const sent = tg.userMessage(dm.id, alice, caption, {
    media: { kind: "document", bytes: world.file, fileName: FILE_NAME, mimeType: MIME },
  });
  // The update is handed to the held long poll only after this synchronous call returns.
  const queuedAt = performance.now();
  const parsedAt = await withTimeout(arrived, 60_000, "the bot's chat.send").catch((error: unknown) => {
    throw new Error(`${String(error)}\nbot stderr: ${bot.stderr()}`);
  });
  botStamps.onChatSend = undefined;
  await until(
    () => botTexts(tg).includes(`ECHO: ${caption}`) && readdirSync(bot.blobDir).length === 0,
    "the file's turn to close",
    30_000,
    5,
  );
  forget(tg, sent.document?.file_id);
  const { getFileAt, downloadAt, blobStoredAt } = stamps;
  if (getFileAt === undefined || downloadAt === undefined || blobStoredAt === undefined) {
    throw new Error(`attachments: a phase of the bot's round was not stamped: ${JSON.stringify(stamps)}`);
  }
  const trace = idle
    ? traceOf(await collectTrace(bot), performance.timeOrigin + queuedAt, performance.timeOrigin + parsedAt, idle)
    : undefined;
  if (trace) trace.phases[PARSED] = parsedAt - queuedAt;
  return {
    totalMs: parsedAt - queuedAt,
    pickupMs: getFileAt - queuedAt,
    pathMs: downloadAt - getFileAt,
    storeMs: blobStoredAt - downloadAt,
    sendMs: parsedAt - blobStoredAt,
    trace,
  };
}

/** Drops the fake Telegram's copy of a relayed file (10 MB a round would pile up in this process). */
function forget(tg: FakeTelegram, fileId: string | undefined): void {
  const file = fileId === undefined ? undefined : tg.world.files.get(fileId);
  if (file) file.bytes = undefined;
}

/** The bare client in its own process, connected to the second fake gateway. */
interface BareProcess {
  child: ChildProcess;
  pid: number;
  ask(message: BareRelay): Promise<BareRelayed>;
}

async function startBare(world: World, n: number): Promise<BareProcess> {
  const child = fork(join(here, "lib", "bare-file-client.ts"), [], {
    execArgv: startFlags(),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = <T>(what: string) =>
    withTimeout(
      new Promise<T>((resolve, reject) => {
        child.once("message", (message: { type: string; error?: string }) => {
          if (message.type === "error") reject(new Error(`bare client: ${message.error}`));
          else resolve(message as T);
        });
      }),
      60_000,
      what,
    );
  const setup: BareSetup = {
    type: "setup",
    gatewayUrl: world.gwBare.url,
    gatewayToken: world.gwBare.token,
    apiRoot: world.tg.apiRoot,
    botToken: world.tg.token,
    sessionKey: `agent:main:named:attachments-direct-${n}`,
  };
  const ready = next<{ type: "ready" }>("the bare client to connect");
  child.send(setup);
  await ready;
  return {
    child,
    pid: child.pid ?? 0,
    ask(message) {
      const answered = next<BareRelayed>("the bare client's relay");
      child.send(message);
      return answered;
    },
  };
}

async function stopBare(bare: BareProcess): Promise<void> {
  const { child } = bare;
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.disconnect();
  });
}

/** The same file, kept by the fake Telegram under a new file_id, relayed by the bare client. */
async function bareRound(world: World, bare: BareProcess, i: number): Promise<Relayed> {
  const { tg, bareStamps } = world;
  const stamps: Stamps = {};
  world.stamps.current = stamps;
  const fileId = tg.world.files.add("document", { bytes: world.file }, "bin").file_id;
  const arrived = new Promise<number>((resolve) => {
    bareStamps.onChatSend = (_key, at) => resolve(at);
  });
  const askedAt = performance.now();
  const answer = await bare.ask({ type: "relay", fileId, fileName: FILE_NAME, mimeType: MIME, message: `bare ${i}` });
  const parsedAt = await arrived;
  bareStamps.onChatSend = undefined;
  forget(tg, fileId);
  const { getFileAt, downloadAt } = stamps;
  if (getFileAt === undefined || downloadAt === undefined) {
    throw new Error(`attachments: a phase of the bare round was not stamped: ${JSON.stringify(stamps)}`);
  }
  return {
    totalMs: parsedAt - askedAt,
    pickupMs: getFileAt - askedAt,
    pathMs: downloadAt - getFileAt,
    sendMs: parsedAt - downloadAt,
    bare: answer,
  };
}

/** What peakGrowth measured. */
interface Growth {
  result: Relayed;
  idleMb: number;
  growthMb: number;
  sampledMb: number;
  reset: boolean;
}

/** Peak growth over idle of `pid` while `work` runs: VmHWM reset at idle, read after. */
async function peakGrowth(pid: number, work: () => Promise<Relayed>): Promise<Growth> {
  const idle = await memoryOf(pid);
  const reset = await resetPeak(pid);
  const before = await memoryOf(pid);
  if (!idle || !before) throw new Error(`attachments: process ${pid} is gone`);
  const sampler = sampleRss(pid, SAMPLE_EVERY_MS);
  const result = await work();
  const sampled = await sampler.stop();
  const after = await memoryOf(pid);
  if (!after) throw new Error(`attachments: process ${pid} is gone`);
  // Without a reset the mark may still hold a start-up peak above idle: only the samples can tell then.
  const growthMb = reset ? after.hwm - before.hwm : Math.max(sampled.max, after.rss) - idle.rss;
  return { result, idleMb: idle.rss, growthMb, sampledMb: sampled.max - idle.rss, reset };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

const p50 = (rounds: readonly Relayed[], pick: (r: Relayed) => number | undefined) =>
  median(rounds.map(pick).filter((v): v is number => v !== undefined));

/** Runs the section. */
export async function run(): Promise<SectionResult> {
  const dir = mkdtempSync(join(tmpdir(), "tk-bench-attachments-"));
  const tg = await FakeTelegram.start();
  tg.addChat(dm);
  const gwBot = await startFakeGateway();
  const gwBare = await startFakeGateway();
  // Answers at once; records nothing (each chat.send holds 14 MB of base64).
  for (const gw of [gwBot, gwBare]) gw.model.when(() => true, { chunks: 1 });
  const world: World = {
    tg,
    gwBot,
    gwBare,
    botStamps: stampGateway(gwBot, { keepRecords: false }),
    bareStamps: stampGateway(gwBare, { keepRecords: false }),
    stamps: { current: {} },
    file: randomBytes(FILE_BYTES),
    entry: buildDist(),
    dir,
    trace: process.env.TK_BENCH_TRACE === "1",
  };
  stampTelegramFiles(tg, world.stamps);
  let bot: BotProcess | undefined;
  let bare: BareProcess | undefined;
  try {
    // Memory: fresh processes, each relaying its first file after idling.
    const botMemory: Growth[] = [];
    const bareMemory: Growth[] = [];
    const botSecond: Growth[] = [];
    const bareSecond: Growth[] = [];
    let n = 0;
    for (let r = 0; r < MEMORY_ROUNDS; r++) {
      console.log(`attachments: memory round ${r + 1}/${MEMORY_ROUNDS} (fresh bot and bare client)…`);
      if (bot) await stopBot(world, bot);
      if (bare) await stopBare(bare);
      bot = await startBot(world, r);
      bare = await startBare(world, r);
      await sleep(SETTLE_MS);
      const b = bot;
      const c = bare;
      botMemory.push(await peakGrowth(b.pid, () => botRound(world, b, n++)));
      await sleep(PAUSE_MS);
      bareMemory.push(await peakGrowth(c.pid, () => bareRound(world, c, n++)));
      // A second file in the same processes, after idling again: what is left of first-time costs.
      await sleep(SETTLE_MS);
      botSecond.push(await peakGrowth(b.pid, () => botRound(world, b, n++)));
      await sleep(PAUSE_MS);
      bareSecond.push(await peakGrowth(c.pid, () => bareRound(world, c, n++)));
      await sleep(PAUSE_MS);
    }
    if (!bot || !bare) throw new Error("attachments: no processes");
    // Time: the last processes, warm; rounds alternate sides and which side goes first.
    console.log(`attachments: ${WARMUP} + ${ROUNDS} timed rounds each way…`);
    const botIdle = await memoryOf(bot.pid);
    const ours: Relayed[] = [];
    const base: Relayed[] = [];
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const keep = i >= WARMUP;
      const sides = [
        async () => {
          const r = await botRound(world, bot as BotProcess, n++);
          if (keep) ours.push(r);
        },
        async () => {
          const r = await bareRound(world, bare as BareProcess, n++);
          if (keep) base.push(r);
        },
      ];
      for (let s = 0; s < sides.length; s++) {
        await sides[(i + s) % sides.length]?.();
        await sleep(PAUSE_MS);
      }
    }
    const botAfter = await memoryOf(bot.pid);
    return report({ ours, base, botMemory, bareMemory, botSecond, bareSecond, botIdle, botAfter });
  } finally {
    if (bot) await stopBot(world, bot).catch(() => undefined);
    if (bare) await stopBare(bare).catch(() => undefined);
    await tg.stop();
    await gwBot.stop();
    await gwBare.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(input: {
  ours: Relayed[];
  base: Relayed[];
  botMemory: Growth[];
  bareMemory: Growth[];
  botSecond: Growth[];
  bareSecond: Growth[];
  botIdle: { rss: number; hwm: number } | undefined;
  botAfter: { rss: number; hwm: number } | undefined;
}): SectionResult {
  const { ours, base, botMemory, bareMemory } = input;
  const oursMs = p50(ours, (r) => r.totalMs);
  const baseMs = p50(base, (r) => r.totalMs);
  const ratio = oursMs / baseMs;
  const paired = median(ours.map((r, i) => r.totalMs / (base[i]?.totalMs ?? Number.NaN)));
  const growth = botMemory.map((m) => m.growthMb);
  const bareGrowth = bareMemory.map((m) => m.growthMb);
  const peak = Math.max(...growth);
  const range = (xs: number[], digits = 1) => `${fmt(Math.min(...xs), digits)} – ${fmt(Math.max(...xs), digits)}`;
  const ms = (xs: Relayed[], pick: (r: Relayed) => number | undefined) => fmt(p50(xs, pick), 1);
  const rows: Row[] = [
    {
      figure: "10 MB document → chat.send parsed, p50 (ms)",
      ours: fmt(oursMs, 1),
      baseline: fmt(baseMs, 1),
      ratio: fmt(ratio, 3),
      target: `≤ ${TIME_TARGET}`,
      met: ratio <= TIME_TARGET,
    },
    {
      figure: "  min – max (ms)",
      ours: range(ours.map((r) => r.totalMs)),
      baseline: range(base.map((r) => r.totalMs)),
    },
    { figure: "  median of per-round ratios", ours: "", ratio: fmt(paired, 3) },
    {
      figure: "  update / ask → getFile (ms)",
      ours: ms(ours, (r) => r.pickupMs),
      baseline: ms(base, (r) => r.pickupMs),
    },
    { figure: "  getFile → download asked (ms)", ours: ms(ours, (r) => r.pathMs), baseline: ms(base, (r) => r.pathMs) },
    { figure: "  download → blob fsync'ed in place (ms)", ours: ms(ours, (r) => r.storeMs) },
    {
      figure: "  blob in place (bare: download) → chat.send parsed (ms)",
      ours: ms(ours, (r) => r.sendMs),
      baseline: ms(base, (r) => r.sendMs),
    },
    {
      figure: "  bare: body read / base64 / send+ack (ms)",
      ours: "",
      baseline: [
        ms(base, (r) => r.bare?.downloadMs),
        ms(base, (r) => r.bare?.encodeMs),
        ms(base, (r) => r.bare?.sendMs),
      ].join(" / "),
    },
    {
      figure: "  first file in a fresh process (ms)",
      ours: range(
        botMemory.map((m) => m.result.totalMs),
        0,
      ),
      baseline: range(
        bareMemory.map((m) => m.result.totalMs),
        0,
      ),
    },
    {
      figure: "peak RSS growth over idle, one 10 MB file (MB)",
      ours: fmt(peak, 1),
      baseline: fmt(Math.max(...bareGrowth), 1),
      ratio: fmt(peak / Math.max(...bareGrowth), 2),
      target: `≤ ${MEMORY_TARGET_MB}`,
      met: peak <= MEMORY_TARGET_MB,
    },
    { figure: "  per fresh process (MB)", ours: range(growth), baseline: range(bareGrowth) },
    {
      figure: "  second file in the same process (MB)",
      ours: range(input.botSecond.map((m) => m.growthMb)),
      baseline: range(input.bareSecond.map((m) => m.growthMb)),
    },
    {
      figure: "  max sampled VmRSS − idle (MB)",
      ours: range(botMemory.map((m) => m.sampledMb)),
      baseline: range(bareMemory.map((m) => m.sampledMb)),
    },
    {
      figure: "  idle RSS before the first file (MB)",
      ours: range(botMemory.map((m) => m.idleMb)),
      baseline: range(bareMemory.map((m) => m.idleMb)),
    },
    {
      figure: `  idle RSS ${SETTLE_MS / 1000} s after it, before the second (MB)`,
      ours: range(input.botSecond.map((m) => m.idleMb)),
      baseline: range(input.bareSecond.map((m) => m.idleMb)),
    },
    {
      figure: `  warm bot: RSS before / after ${WARMUP + ROUNDS} more files (MB)`,
      ours: `${fmt(input.botIdle?.rss, 1)} / ${fmt(input.botAfter?.rss, 1)}`,
    },
  ];
  if (ours.some((r) => r.trace))
    rows.push(
      ...traceRows(
        ours,
        botMemory.map((m) => m.result),
      ),
    );
  const resetNote = botMemory.every((m) => m.reset)
    ? "VmHWM reset to the idle RSS through /proc/<pid>/clear_refs before each file; growth = VmHWM after the turn − VmHWM at the reset"
    : "clear_refs was refused: growth = the largest VmRSS sampled every 5 ms (or after the turn) − idle RSS";
  return {
    figures: {
      relayMsP50: round(oursMs, 1),
      directMsP50: round(baseMs, 1),
      ratioVsDirect: round(ratio, 3),
      peakRssGrowthMb: round(peak, 1),
    },
    rows,
    notes: [
      `file = ${FILE_BYTES} random bytes (10 MiB) as a Telegram document; ${ROUNDS} rounds each way after ${WARMUP} warm-up, alternating, on warm processes`,
      `bot = node dist/src/main.js with npm start's flags (${startFlags().join(" ")}), Telegram only, against the fake Bot API (long polling) and an in-process fake gateway`,
      "baseline = a bare client in its own process (same flags): getFile, GET /file/bot<token>/<path> into memory, base64, chat.send with the e2e RawClient, to a second fake gateway",
      `memory: ${MEMORY_ROUNDS} fresh processes each, connected, bound and one text turn, ${SETTLE_MS / 1000} s idle, then one file; ${resetNote}`,
    ],
  };
}

const MEMORY_KEYS = ["rss", "heapUsed", "external", "arrayBuffers"] as const;

/** TK_BENCH_TRACE=1: when each step happened in the bot (median over the warm rounds), and what memory held. */
function traceRows(warm: Relayed[], fresh: Relayed[]): Row[] {
  const traces = warm.map((r) => r.trace).filter((t): t is BotTrace => t !== undefined);
  const names = [...new Set(traces.flatMap((t) => Object.keys(t.phases)))];
  const at = (name: string) => median(traces.map((t) => t.phases[name]).filter((v): v is number => v !== undefined));
  names.sort((a, b) => at(a) - at(b));
  // Per round: how long each step took (from the previous stamp to this one) and the GC time inside it.
  const steps = new Map<string, { ms: number[]; gc: number[] }>(names.map((n) => [n, { ms: [], gc: [] }]));
  for (const t of traces) {
    const own = Object.entries(t.phases)
      .filter(([name]) => name !== PEAK)
      .sort((a, b) => a[1] - b[1]);
    const parsed = t.phases[PARSED] ?? Number.POSITIVE_INFINITY;
    for (const [i, [name, end]] of own.entries()) {
      // Steps after chat.send was parsed (the turn's close) are listed without a duration.
      if (end > parsed) continue;
      const start = own[i - 1]?.[1] ?? 0;
      const gc = t.gcs.filter((g) => g.at >= start && g.at < end).reduce((sum, g) => sum + g.ms, 0);
      steps.get(name)?.ms.push(end - start);
      steps.get(name)?.gc.push(gc);
    }
  }
  const rows: Row[] = [
    { figure: "trace: at ms after the update was queued (step ms, GC in it) (warm, p50)", ours: "" },
  ];
  for (const name of names) {
    const step = steps.get(name);
    const detail = step?.ms.length ? ` (${fmt(median(step.ms), 1)}, GC ${fmt(median(step.gc), 1)})` : "";
    rows.push({ figure: `  ${name}`, ours: `${fmt(at(name), 1)}${detail}` });
  }
  rows.push({ figure: "  writes into the blob file (p50)", ours: fmt(median(traces.map((t) => t.blobWrites)), 0) });
  rows.push({
    figure: "  fdatasync calls / their ms (p50 per round)",
    ours: `${fmt(median(traces.map((t) => t.fdatasyncs)), 0)} / ${fmt(median(traces.map((t) => t.fdatasyncMs)), 1)}`,
  });
  for (const kind of ["minor", "major", "incremental", "weakcb"]) {
    const count = median(traces.map((t) => t.gc[kind]?.count ?? 0));
    const ms = median(traces.map((t) => t.gc[kind]?.ms ?? 0));
    rows.push({
      figure: `  GC ${kind} until chat.send parsed: count / ms (p50)`,
      ours: `${fmt(count, 0)} / ${fmt(ms, 1)}`,
    });
  }
  const first = fresh.map((r) => r.trace).filter((t): t is BotTrace => t !== undefined);
  const delta = (m: Record<string, number> | undefined, base: Record<string, number>) =>
    MEMORY_KEYS.map((k) => fmt((m?.[k] ?? Number.NaN) - (base[k] ?? Number.NaN), 1)).join(" / ");
  rows.push({ figure: `trace: first file in a fresh bot, Δ ${MEMORY_KEYS.join(" / ")} (MB)`, ours: "" });
  for (const [i, t] of first.entries()) {
    rows.push({ figure: `  peak sample, process ${i + 1}`, ours: delta(t.peak, t.start) });
    if (i > 0) continue;
    const order = Object.keys(t.memory).sort((a, b) => (t.phases[a] ?? 0) - (t.phases[b] ?? 0));
    for (const name of order) rows.push({ figure: `    at ${name}`, ours: delta(t.memory[name], t.start) });
  }
  return rows;
}
