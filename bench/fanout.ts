/**
 * Section `fanout`: 1,000 turns interrupted by a gateway restart, across 1,000 Telegram DMs. The real
 * bot (core, our client, JSON store, the real Telegram channel with its default throttling and
 * retries) starts against a fake gateway that has restarted since the turns were sent
 * (bench/lib/fanout-world.ts); every notice goes through the fake Telegram Bot API behind a proxy
 * that enforces Telegram's flood limits with 429 retry_after (bench/lib/flood-proxy.ts).
 * seconds = bot start → last notice delivered; ceilingSeconds = 1,000 / 30 (the best Telegram allows).
 * A second, informative run uses the throttle setting proposed in bench/README.md.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTelegramChannel, type TelegramLimits } from "../src/channels/telegram/index.ts";
import { composeBot } from "../src/compose.ts";
import { silentLogger } from "../src/core/log.ts";
import { createOpenClawGateway } from "../src/gateway/index.ts";
import { openJsonStore } from "../src/store/index.ts";
import { startFakeGateway } from "../test/fakes/fake-gateway.ts";
import { FakeTelegram } from "../test/fakes/fake-telegram.ts";
import { buildFanoutWorld, chatIdOf } from "./lib/fanout-world.ts";
import { FloodProxy } from "./lib/flood-proxy.ts";
import { fmt, type SectionResult } from "./lib/report.ts";
import { writeSeededStore } from "./lib/seed.ts";
import { round, sleep, until } from "./lib/stats.ts";

const COUNT = 1_000;
const CEILING_SECONDS = COUNT / 30;
const NOTICE = "A restart interrupted a turn";

interface Outcome {
  seconds: number;
  firstSeconds: number;
  lost: number;
  duplicated: number;
  refused: number;
  outboxLeft: number;
  journalLeft: number;
}

/** One fan-out from a fresh world; `limits` as given to createTelegramChannel (undefined = the product's defaults). */
async function fanout(limits: TelegramLimits | undefined): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), "tk-bench-fanout-"));
  const tg = await FakeTelegram.start();
  const proxy = await FloodProxy.start(tg.apiRoot);
  const gw = await startFakeGateway();
  const path = join(dir, "threads.json");
  const patch = buildFanoutWorld(COUNT, gw, tg);
  await writeSeededStore(path, { patch, names: [], slugs: [], conversations: [], primary: [] });
  const store = await openJsonStore({ path });
  const client = createOpenClawGateway({ url: gw.url, token: gw.token, logger: silentLogger });
  const bot = composeBot({
    ...{ store, gateway: client, logger: silentLogger, agentId: "main", policy: "confirm" },
    ...{ allowedUsers: [], adminUsers: [] },
  });
  const telegram = createTelegramChannel({
    token: tg.token,
    apiRoot: proxy.apiRoot,
    app: bot.app,
    logger: silentLogger,
    limits,
  });
  bot.channels.add(telegram.channel);
  const delivered = () =>
    proxy.calls.filter((c) => c.status === 200 && c.method === "sendMessage" && String(c.params.text).includes(NOTICE));
  try {
    await telegram.start();
    const started = performance.now();
    await bot.start();
    let lastLog = started;
    const progress = () => {
      const done = delivered().length;
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        console.log(`fanout: ${done} notices delivered after ${((lastLog - started) / 1000).toFixed(0)} s`);
      }
      return done >= COUNT;
    };
    await until(progress, "every notice", 150_000, 50).catch((error: unknown) =>
      console.log(`fanout: ${String(error)}`),
    );
    const notices = delivered();
    const times = notices.map((c) => c.at - started);
    // Anything still queued or being retried would show up now as a duplicate.
    await bot.recovery.idle();
    await sleep(2000);
    const counts = Array.from({ length: COUNT }, (_, i) =>
      tg.botMessages(chatIdOf(i)).filter((m) => (m.message.text ?? "").includes(NOTICE)),
    ).map((shown) => shown.length);
    return {
      seconds: times.length > 0 ? Math.max(...times) / 1000 : Number.NaN,
      firstSeconds: times.length > 0 ? Math.min(...times) / 1000 : Number.NaN,
      lost: counts.filter((n) => n === 0).length,
      duplicated: counts.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      refused: proxy.refused,
      outboxLeft: Object.keys(store.state.outbox).length,
      journalLeft: Object.keys(store.state.journal).length,
    };
  } finally {
    await telegram.stop().catch(() => undefined);
    await bot.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    await proxy.stop();
    await tg.stop();
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the section. */
export async function run(): Promise<SectionResult> {
  console.log(`fanout: ${COUNT} interrupted turns, the Telegram channel with its default limits…`);
  const ours = await fanout(undefined);
  const ratio = CEILING_SECONDS / ours.seconds;
  return {
    figures: {
      seconds: round(ours.seconds, 2),
      ceilingSeconds: round(CEILING_SECONDS, 2),
      throughputRatio: round(ratio, 3),
      lost: ours.lost,
      duplicated: ours.duplicated,
    },
    rows: [
      {
        figure: "fanout.seconds (start → last notice)",
        ours: fmt(ours.seconds, 1),
        baseline: fmt(CEILING_SECONDS, 1),
        ratio: fmt(ratio, 3),
        target: "ratio ≥ 0.9",
        met: ratio >= 0.9,
      },
      { figure: "fanout.lost", ours: String(ours.lost), target: "0", met: ours.lost === 0 },
      { figure: "fanout.duplicated", ours: String(ours.duplicated), target: "0", met: ours.duplicated === 0 },
      { figure: "  429s answered / first notice after (s)", ours: `${ours.refused} / ${fmt(ours.firstSeconds, 2)}` },
    ],
    notes: [
      `baseline = ceilingSeconds: ${COUNT} messages at Telegram's 30/s; the proxy refuses a message past 30 in any rolling second overall or 1 per chat (429, retry_after in whole seconds)`,
      `left in the store afterwards: ${ours.outboxLeft} outbox items, ${ours.journalLeft} journal entries`,
    ],
  };
}
