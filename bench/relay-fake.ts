/**
 * Relay overhead against the in-process fake gateway. Three fake gateways run side by side: the bot
 * (real core, our client, JSON store on disk) talks to one, the same bot on the in-memory store to
 * another, and a bare protocol client (the e2e RawClient) to the third, so none sees another's
 * traffic. Turns rotate between them. Per turn, with performance.now() on both sides:
 *   inbound  = App.handleMessage called → chat.send frame parsed by the fake gateway
 *   outbound = terminal `chat` event broadcast by the fake → the answer's ChannelPort.send/edit call
 * The bare client's inbound (request written → frame parsed) and outbound (event broadcast → event
 * received) are the transport cost the bot cannot avoid; what the bot adds is ours minus that.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryStore, openJsonStore } from "../src/store/index.ts";
import { RawClient } from "../test/e2e/harness/raw-client.ts";
import { isChatEnd } from "../test/e2e/harness/turns.ts";
import { startFakeGateway } from "../test/fakes/fake-gateway.ts";
import { type CoreBot, startCoreBot } from "./lib/core-bot.ts";
import { seedStore, writeSeededStore } from "./lib/seed.ts";
import { type GatewayStamps, stampGateway } from "./lib/stamps.ts";
import { until } from "./lib/stats.ts";

/** Per-turn legs in ms, for the bot and for the bare client. */
export interface LegSamples {
  inbound: number[];
  outbound: number[];
}

/** What the fake-gateway relay measurement returns. */
export interface RelayFakeSamples {
  /** The bot as shipped: JSON store on disk (one durable write before chat.send). */
  bot: LegSamples;
  /** The same bot on the in-memory store: the core's own cost without the disk. */
  memory: LegSamples;
  direct: LegSamples;
  /** One bare append + fdatasync of a journal-sized line on the same disk, per turn (ms). */
  fsync: number[];
  /** Durable appends (group commits) the store made, and the turns measured. */
  appends: number;
  turns: number;
}

const FILLER = "— please compare the Q3 forecast with actuals and flag anything more than 10% off.";

/** Runs `turns` measured turns each way (after `warmup` unmeasured ones), interleaved. */
export async function measureRelayFake(turns: number, warmup: number): Promise<RelayFakeSamples> {
  const dir = mkdtempSync(join(tmpdir(), "tk-bench-relay-"));
  const gwBot = await startFakeGateway();
  const gwMemory = await startFakeGateway();
  const gwDirect = await startFakeGateway();
  // The answer comes "at once": one delta and the final, back to back.
  for (const gw of [gwBot, gwMemory, gwDirect]) gw.model.when(() => true, { chunks: 1 });
  const botStamps = stampGateway(gwBot);
  const memoryStamps = stampGateway(gwMemory);
  const directStamps = stampGateway(gwDirect);
  const path = join(dir, "threads.json");
  await writeSeededStore(path, seedStore(1_000));
  const store = await openJsonStore({ path });
  let bot: CoreBot | undefined;
  let memoryBot: CoreBot | undefined;
  let raw: RawClient | undefined;
  let probe: FileHandle | undefined;
  try {
    bot = await startCoreBot({ url: gwBot.url, token: gwBot.token, store });
    memoryBot = await startCoreBot({ url: gwMemory.url, token: gwMemory.token, store: new MemoryStore() });
    for (const each of [bot, memoryBot]) await each.command("thread", "relay-bench");
    raw = await RawClient.connect({ url: gwDirect.url, token: gwDirect.token });
    const sessionKey = "agent:main:named:relay-direct";
    await raw.request("sessions.create", { key: sessionKey, label: "relay direct" });
    const samples: RelayFakeSamples = {
      bot: { inbound: [], outbound: [] },
      memory: { inbound: [], outbound: [] },
      direct: { inbound: [], outbound: [] },
      fsync: [],
      appends: 0,
      turns,
    };
    const appendsBefore = store.stats.appends;
    probe = await open(join(dir, "fsync-probe.log"), "a");
    for (let i = 0; i < warmup + turns; i++) {
      const keep = i >= warmup;
      const sides = [
        async () => record(keep ? samples.bot : undefined, await botTurn(bot as CoreBot, botStamps, i)),
        async () => record(keep ? samples.memory : undefined, await botTurn(memoryBot as CoreBot, memoryStamps, i)),
        async () =>
          record(keep ? samples.direct : undefined, await directTurn(raw as RawClient, directStamps, sessionKey, i)),
        async () => {
          const ms = await fsyncProbe(probe as FileHandle);
          if (keep) samples.fsync.push(ms);
        },
      ];
      // Rotate which side goes first, so drift and warm caches favour none of them.
      for (let s = 0; s < sides.length; s++) await sides[(i + s) % sides.length]?.();
      if (i % 200 === 0) for (const stamps of [botStamps, memoryStamps, directStamps]) stamps.clear();
    }
    samples.appends = store.stats.appends - appendsBefore;
    return samples;
  } finally {
    await probe?.close();
    await raw?.close();
    await bot?.stop();
    await memoryBot?.stop();
    await store.close();
    await gwBot.stop();
    await gwMemory.stop();
    await gwDirect.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Legs {
  inbound: number;
  outbound: number;
}

function record(into: LegSamples | undefined, legs: Legs): void {
  if (!into) return;
  into.inbound.push(legs.inbound);
  into.outbound.push(legs.outbound);
}

const PROBE_LINE = Buffer.from(`${JSON.stringify({ seq: 1, patch: { journal: { x: FILLER.repeat(4) } } })}\n`);

/** What the disk alone costs: one journal-sized append and its fdatasync, as the store's log does it. */
async function fsyncProbe(handle: FileHandle): Promise<number> {
  const started = performance.now();
  await handle.write(PROBE_LINE);
  await handle.datasync();
  return performance.now() - started;
}

/** One turn through the bot; waits until its journal entry is closed on disk. */
async function botTurn(bot: CoreBot, stamps: GatewayStamps, i: number): Promise<Legs> {
  const text = `relay turn ${i} ${FILLER}`;
  let sent: { key: string; at: number } | undefined;
  stamps.onChatSend = (key, at) => {
    sent ??= { key, at };
  };
  const shown = bot.channel.expect(`ECHO: ${text}`);
  const typedAt = performance.now();
  await bot.say(text);
  const shownAt = await shown;
  stamps.onChatSend = undefined;
  if (!sent) throw new Error("relay: the answer was shown before any chat.send arrived");
  const endAt = stamps.endAt.get(sent.key);
  if (endAt === undefined) throw new Error("relay: no final event stamped for the bot's turn");
  await until(() => Object.keys(bot.store.state.journal).length === 0, "the turn's journal entry to close", 10_000, 1);
  await bot.store.flush();
  return { inbound: sent.at - typedAt, outbound: shownAt - endAt };
}

/** The same turn sent by the bare client: chat.send, then the terminal chat event. */
async function directTurn(raw: RawClient, stamps: GatewayStamps, sessionKey: string, i: number): Promise<Legs> {
  const key = randomUUID();
  const message = `relay turn ${i} ${FILLER}`;
  // Registered before the request goes out, so the event's arrival is stamped as it is offered.
  const ended = raw.waitForEvent(isChatEnd(key), 10_000, raw.mark()).then(() => performance.now());
  const sentAt = performance.now();
  await raw.request("chat.send", { sessionKey, message, idempotencyKey: key, deliver: false });
  const receivedAt = await ended;
  const arrivedAt = stamps.chatSendAt.get(key);
  const endAt = stamps.endAt.get(key);
  if (arrivedAt === undefined || endAt === undefined) throw new Error("relay: direct turn not stamped");
  return { inbound: arrivedAt - sentAt, outbound: receivedAt - endAt };
}
