/**
 * Section `throughput`: 100 conversations, each bound to its own thread, get a burst of messages at
 * once (App.handleMessage, as a channel calls it); the in-process fake gateway answers each turn at
 * once. messagesPerSecond = messages accepted, durably journaled and handed to the gateway (the
 * chat.send frame parsed by the fake) per second of wall time, from the first message to the last
 * chat.send. A thread sends its turns in order, one after the other's answer (ARCHITECTURE.md §5), so this is
 * the pipeline's rate with 100 turns in flight. Baseline, alternating with the bot: a bare protocol
 * client driving the same fake with the same 100 × N turns, one at a time per session.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeBot } from "../src/compose.ts";
import { silentLogger } from "../src/core/log.ts";
import type { StorePort } from "../src/core/ports.ts";
import { createOpenClawGateway } from "../src/gateway/index.ts";
import { openJsonStore } from "../src/store/index.ts";
import { RawClient } from "../test/e2e/harness/raw-client.ts";
import { isChatEnd } from "../test/e2e/harness/turns.ts";
import { type FakeOpenClawGateway, startFakeGateway } from "../test/fakes/fake-gateway.ts";
import { CountingChannel } from "./lib/counting-channel.ts";
import { fmt, type Row, type SectionResult } from "./lib/report.ts";
import { seedStore, writeSeededStore } from "./lib/seed.ts";
import { type GatewayStamps, stampGateway } from "./lib/stamps.ts";
import { median, round, until } from "./lib/stats.ts";

/** Conversations (each its own thread) and messages per conversation in a round. */
export const CONVERSATIONS = 100;
export const PER_CONVERSATION = 40;
const ROUNDS = 3;
const TEXT = "please summarise the open budget items and who owns each one";

/** One timed round. */
export interface Round {
  perSecond: number;
  /** Messages accepted (journaled on disk) per second: handleMessage resolved for all. */
  acceptedPerSecond: number;
  /** CPU time of this process over wall time (1.0 = one core busy). */
  cpu: number;
}

/** The bot under load: composeBot on `store` against the fake gateway, one thread bound per conversation. */
export interface ThroughputBot {
  /** Message `i` of a round (conversation i % CONVERSATIONS), as a channel hands it to the core. */
  say(i: number): Promise<void>;
  /** Every turn closed (the journal is empty). */
  settled(): boolean;
  stop(): Promise<void>;
}

/**
 * Starts the bot on `store` and binds each of the CONVERSATIONS conversations to its own thread
 * (`/thread`). `tag` keeps the threads and conversations of two bots on one gateway apart.
 */
export async function startThroughputBot(options: {
  gw: FakeOpenClawGateway;
  store: StorePort;
  tag?: string;
}): Promise<ThroughputBot> {
  const { gw, store } = options;
  const tag = options.tag ?? "";
  const client = createOpenClawGateway({ url: gw.url, token: gw.token, logger: silentLogger });
  const bot = composeBot({
    store,
    gateway: client,
    logger: silentLogger,
    agentId: "main",
    policy: "auto",
    allowedUsers: [],
    adminUsers: [],
  });
  bot.channels.add(new CountingChannel());
  await bot.start();
  const sender = { id: "console:bench", name: "bench" };
  const placeOf = (i: number) => ({ conversation: `console:${tag}c${i % CONVERSATIONS}`, direct: true });
  for (let i = 0; i < CONVERSATIONS; i++) {
    await bot.app.handleCommand({ place: placeOf(i), sender, name: "thread", text: `throughput ${tag}${i}` });
  }
  return {
    say: async (i) => {
      await bot.app.handleMessage({ place: placeOf(i), sender, text: `${TEXT} #${i}` });
    },
    settled: () => Object.keys(store.state.journal).length === 0,
    stop: () => bot.stop(),
  };
}

/** Runs the section. */
export async function run(): Promise<SectionResult> {
  const dir = mkdtempSync(join(tmpdir(), "tk-bench-throughput-"));
  const gw = await startFakeGateway();
  gw.model.when(() => true, { chunks: 1 });
  const stamps = stampGateway(gw, { keepRecords: false });
  const path = join(dir, "threads.json");
  await writeSeededStore(path, seedStore(1_000));
  const store = await openJsonStore({ path });
  const bot = await startThroughputBot({ gw, store });
  const raw = await RawClient.connect({ url: gw.url, token: gw.token });
  try {
    const botRounds: Round[] = [];
    const rawRounds: Round[] = [];
    for (let round = 0; round < ROUNDS + 1; round++) {
      // Round 0 warms both paths up and is not counted.
      const b = await botRound(stamps, bot);
      const r = await rawRound(stamps, raw);
      if (round === 0) continue;
      botRounds.push(b);
      rawRounds.push(r);
    }
    const ours = median(botRounds.map((r) => r.perSecond));
    const base = median(rawRounds.map((r) => r.perSecond));
    const rows: Row[] = [
      {
        figure: "throughput.messagesPerSecond",
        ours: fmt(ours, 0),
        baseline: fmt(base, 0),
        ratio: fmt(ours / base, 2),
        target: "≥ 2000",
        met: ours >= 2000,
      },
      { figure: "  accepted + journaled per second", ours: fmt(median(botRounds.map((r) => r.acceptedPerSecond)), 0) },
      {
        figure: "  process CPU / wall (cores)",
        ours: fmt(median(botRounds.map((r) => r.cpu)), 2),
        baseline: fmt(median(rawRounds.map((r) => r.cpu)), 2),
      },
    ];
    const notes = [
      `${CONVERSATIONS} conversations × ${PER_CONVERSATION} messages per round, median of ${ROUNDS} rounds (+1 warm-up), ` +
        "bot and bare client alternating; the fake gateway runs in the same process and its CPU counts against both",
      `rounds (msg/s): bot ${botRounds.map((r) => fmt(r.perSecond, 0)).join(", ")}; bare ${rawRounds.map((r) => fmt(r.perSecond, 0)).join(", ")}`,
    ];
    return { figures: { messagesPerSecond: round(ours, 0) }, rows, notes };
  } finally {
    await raw.close();
    await bot.stop();
    await store.close();
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** All messages at once through the bot; timed until the gateway has every chat.send and the journal is empty. */
export async function botRound(stamps: GatewayStamps, bot: ThroughputBot): Promise<Round> {
  const { say, settled } = bot;
  const total = CONVERSATIONS * PER_CONVERSATION;
  const before = stamps.chatSends;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let acceptedAt = 0;
  await Promise.all(Array.from({ length: total }, (_, i) => say(i))).then(() => {
    acceptedAt = performance.now();
  });
  await until(() => stamps.chatSends - before >= total, "every chat.send", 120_000, 1);
  const handedAt = performance.now();
  const used = process.cpuUsage(cpu);
  await until(settled, "every turn to close", 120_000, 5);
  return {
    perSecond: total / ((handedAt - started) / 1000),
    acceptedPerSecond: total / ((acceptedAt - started) / 1000),
    cpu: (used.user + used.system) / 1000 / (handedAt - started),
  };
}

/** The same turns from the bare client: per session, chat.send then wait for the final, 100 sessions at once. */
async function rawRound(stamps: GatewayStamps, raw: RawClient): Promise<Round> {
  const total = CONVERSATIONS * PER_CONVERSATION;
  const before = stamps.chatSends;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONVERSATIONS }, async (_, c) => {
      for (let n = 0; n < PER_CONVERSATION; n++) {
        const key = randomUUID();
        const ended = raw.waitForEvent(isChatEnd(key), 60_000, raw.mark());
        const message = `${TEXT} #${n * CONVERSATIONS + c}`;
        await raw.request("chat.send", {
          sessionKey: `agent:main:named:raw-${c}`,
          message,
          idempotencyKey: key,
          deliver: false,
        });
        await ended;
      }
    }),
  );
  const handedAt = performance.now();
  const used = process.cpuUsage(cpu);
  if (stamps.chatSends - before < total) throw new Error("throughput: bare client turns missing");
  return {
    perSecond: total / ((handedAt - started) / 1000),
    acceptedPerSecond: Number.NaN,
    cpu: (used.user + used.system) / 1000 / (handedAt - started),
  };
}
