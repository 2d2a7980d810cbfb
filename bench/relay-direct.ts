/**
 * One turn through the bot versus the same turn sent directly, against ONE real OpenClaw gateway
 * (the pinned install, fake echo model). The bot is the real core with our client and the JSON
 * store (bench/lib/core-bot.ts); the direct side is the e2e harness's bare RawClient. Turns alternate
 * (ABBA); each side's figure is the median wall time from the person's message until the whole
 * answer is visible to whoever asked:
 *   bot    = App.handleMessage called → a ChannelPort send/edit shows the whole answer
 *   direct = chat.send written → the first `chat` event of the run whose text holds the whole answer
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureOpenclawInstalled } from "../scripts/openclaw-install.ts";
import { readInstallMarker } from "../scripts/openclaw-paths.ts";
import { openJsonStore } from "../src/store/index.ts";
import { type FakeModel, startFakeModel } from "../test/e2e/harness/fake-model.ts";
import type { GatewayEvent } from "../test/e2e/harness/frames.ts";
import { type Gateway, startGateway } from "../test/e2e/harness/gateway.ts";
import type { RawClient } from "../test/e2e/harness/raw-client.ts";
import { chatText, TERMINAL_CHAT_STATES } from "../test/e2e/harness/turns.ts";
import { type CoreBot, startCoreBot } from "./lib/core-bot.ts";
import { sleep, until } from "./lib/stats.ts";

/** Pause before each turn, on both sides alike. */
const SETTLE_MS = 150;

/** Wall times per turn (ms), or why the part was skipped. */
export interface RelayDirectSamples {
  skipped?: string | undefined;
  bot: number[];
  direct: number[];
  /** Gateway start time (ms), for the table. */
  startMs: number;
}

/** Starts one real gateway, runs `warmup` + `turns` turns each way, and removes everything again. */
export async function measureRelayDirect(
  turns: number,
  warmup: number,
  noInstall: boolean,
): Promise<RelayDirectSamples> {
  const samples: RelayDirectSamples = { bot: [], direct: [], startMs: 0 };
  if (!readInstallMarker()) {
    if (noInstall) {
      samples.skipped = "OpenClaw is not installed in .cache/openclaw and --no-install was given";
      return samples;
    }
    console.log("relay: installing OpenClaw first (node scripts/openclaw-install.ts, about 25 s)");
  }
  await ensureOpenclawInstalled();
  const dir = mkdtempSync(join(tmpdir(), "tk-bench-direct-"));
  let model: FakeModel | undefined;
  let gateway: Gateway | undefined;
  let bot: CoreBot | undefined;
  let raw: RawClient | undefined;
  const store = await openJsonStore({ path: join(dir, "threads.json") });
  const stopOnSignal = () => void gateway?.cleanup().finally(() => process.exit(130));
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  try {
    model = await startFakeModel();
    const started = performance.now();
    gateway = await startGateway({ modelBaseUrl: model.baseUrl, parentDir: dir, name: "bench-gateway" });
    samples.startMs = performance.now() - started;
    console.log(`relay: real gateway ready in ${(samples.startMs / 1000).toFixed(1)} s`);
    bot = await startCoreBot({ url: gateway.url, token: gateway.token, store });
    await bot.command("thread", "relay-real");
    raw = await gateway.connect();
    const directKey = "agent:main:named:relay-direct";
    await raw.request("sessions.create", { key: directKey, label: "relay direct" });
    for (let i = 0; i < warmup + turns; i++) {
      const text = `real turn ${i}: what is on the agenda for the budget review?`;
      const runBot = async () => botTurn(bot as CoreBot, text);
      const runDirect = async () => directTurn(raw as RawClient, directKey, text);
      const first = i % 2 === 0 ? runBot : runDirect;
      const second = i % 2 === 0 ? runDirect : runBot;
      // Both sides start on a quiet gateway: its after-turn work (transcript, session row) is done.
      await sleep(SETTLE_MS);
      const a = await first();
      await sleep(SETTLE_MS);
      const b = await second();
      if (i < warmup) continue;
      samples.bot.push(i % 2 === 0 ? a : b);
      samples.direct.push(i % 2 === 0 ? b : a);
    }
    return samples;
  } finally {
    process.removeListener("SIGINT", stopOnSignal);
    process.removeListener("SIGTERM", stopOnSignal);
    await raw?.close().catch(() => undefined);
    await bot?.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    await gateway?.cleanup();
    await model?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function botTurn(bot: CoreBot, text: string): Promise<number> {
  const shown = bot.channel.expect(`ECHO: ${text}`, 120_000);
  const typedAt = performance.now();
  await bot.say(text);
  const ms = (await shown) - typedAt;
  await until(() => Object.keys(bot.store.state.journal).length === 0, "the turn's journal entry to close", 30_000, 2);
  return ms;
}

/** chat.send, then the first `chat` event of the run whose text holds the whole answer. */
async function directTurn(raw: RawClient, sessionKey: string, text: string): Promise<number> {
  const key = randomUUID();
  const answer = `ECHO: ${text}`;
  let shown = "";
  let ended = "";
  // A delta may carry the cumulative `message` or only `deltaText`; keep the text as the bot's client does.
  const whole = (e: GatewayEvent): boolean => {
    if (e.event !== "chat" || e.payload.runId !== key) return false;
    const state = String(e.payload.state);
    const full = chatText(e.payload);
    const delta = typeof e.payload.deltaText === "string" ? e.payload.deltaText : "";
    shown = full || (e.payload.replace ? delta : shown + delta);
    if (TERMINAL_CHAT_STATES.includes(state)) ended = state;
    return shown.includes(answer) || ended !== "";
  };
  const visible = raw.waitForEvent(whole, 120_000, raw.mark()).then(() => performance.now());
  const sentAt = performance.now();
  await raw.request("chat.send", { sessionKey, message: text, idempotencyKey: key, deliver: false });
  const ms = (await visible) - sentAt;
  if (!shown.includes(answer)) throw new Error(`relay: direct turn ended ${ended} without the answer`);
  return ms;
}
