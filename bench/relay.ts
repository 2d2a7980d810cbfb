/**
 * Section `relay`: what the bot adds to a turn. Fake-gateway part: addedMsP50/P99 over 1,000 turns
 * (see relay-fake.ts). Real-gateway part: ratioVsDirect, median of 60 turns each (see relay-direct.ts).
 */
import { fmt, type Row, type SectionOptions, type SectionResult } from "./lib/report.ts";
import { median, percentile, round } from "./lib/stats.ts";
import { measureRelayDirect } from "./relay-direct.ts";
import { type LegSamples, measureRelayFake } from "./relay-fake.ts";

const TURNS = 1_000;
const WARMUP = 100;
const REAL_TURNS = 60;
const REAL_WARMUP = 3;

/** Per-turn total (inbound + outbound), ms. */
function totals(legs: LegSamples): number[] {
  return legs.inbound.map((inbound, i) => inbound + (legs.outbound[i] ?? Number.NaN));
}

/** Quantile-by-quantile difference: ours minus the transport baseline. */
function added(ours: number[], base: number[], p: number): number {
  return percentile(ours, p) - percentile(base, p);
}

/** Runs the section. */
export async function run(options: SectionOptions): Promise<SectionResult> {
  const rows: Row[] = [];
  const notes: string[] = [];
  console.log(`relay: ${TURNS} turns each through the bot (JSON store), the bot (memory store) and a bare client…`);
  const fake = await measureRelayFake(TURNS, WARMUP);
  const bot = totals(fake.bot);
  const memory = totals(fake.memory);
  const direct = totals(fake.direct);
  const p50 = added(bot, direct, 0.5);
  const p99 = added(bot, direct, 0.99);
  const leg = (name: string, side: LegSamples, key: keyof LegSamples) => {
    const [o50, o99] = [percentile(side[key], 0.5), percentile(side[key], 0.99)];
    const [b50, b99] = [percentile(fake.direct[key], 0.5), percentile(fake.direct[key], 0.99)];
    rows.push({
      figure: `  ${name} ${key} p50 / p99 (ms)`,
      ours: `${fmt(o50, 3)} / ${fmt(o99, 3)}`,
      baseline: `${fmt(b50, 3)} / ${fmt(b99, 3)}`,
      ratio: `+${fmt(o50 - b50, 3)} / +${fmt(o99 - b99, 3)}`,
    });
  };
  rows.push(
    { figure: "relay.addedMsP50 (in+out, JSON store)", ours: fmt(p50, 3), target: "≤ 1", met: p50 <= 1 },
    { figure: "relay.addedMsP99 (in+out, JSON store)", ours: fmt(p99, 3), target: "≤ 5", met: p99 <= 5 },
  );
  leg("bot", fake.bot, "inbound");
  leg("bot", fake.bot, "outbound");
  const m50 = added(memory, direct, 0.5);
  const m99 = added(memory, direct, 0.99);
  rows.push({ figure: "  added p50 / p99, memory store (core only)", ours: `${fmt(m50, 3)} / ${fmt(m99, 3)}` });
  leg("memory", fake.memory, "inbound");
  rows.push({
    figure: "  disk: one append + fdatasync p50 / p99 (ms)",
    ours: `${fmt(percentile(fake.fsync, 0.5), 3)} / ${fmt(percentile(fake.fsync, 0.99), 3)}`,
  });
  notes.push(
    `fake gateway: ${TURNS} measured turns per side (+${WARMUP} warm-up), interleaved; ` +
      `${fmt(fake.appends / (TURNS + WARMUP), 1)} durable appends (fdatasyncs) per bot turn: 2 store writes, 1 of them (entry + sent mark) before chat.send`,
    "added = our quantile minus the bare client's quantile of the same leg sum (transport: ws frame, JSON, zod)",
  );
  console.log(`relay: real gateway, ${REAL_TURNS} turns each way…`);
  const real = await measureRelayDirect(REAL_TURNS, REAL_WARMUP, options.noInstall);
  let ratio: number | null = null;
  if (real.skipped) {
    notes.push(`skipped: ratioVsDirect (${real.skipped})`);
    rows.push({ figure: "relay.ratioVsDirect", ours: "skipped", target: "≤ 1.05" });
  } else {
    ratio = median(real.bot) / median(real.direct);
    const paired = real.bot.map((b, i) => b - (real.direct[i] ?? Number.NaN));
    rows.push(
      {
        figure: "relay.ratioVsDirect (median turn, ms)",
        ours: fmt(median(real.bot), 1),
        baseline: fmt(median(real.direct), 1),
        ratio: fmt(ratio, 3),
        target: "≤ 1.05",
        met: ratio <= 1.05,
      },
      { figure: "  paired difference bot − direct, median (ms)", ours: fmt(median(paired), 1) },
    );
    notes.push(
      `real gateway (started in ${(real.startMs / 1000).toFixed(1)} s): ${REAL_TURNS} turns each (+${REAL_WARMUP} warm-up), ` +
        `alternating; bot p10/p90 ${fmt(percentile(real.bot, 0.1), 0)}/${fmt(percentile(real.bot, 0.9), 0)} ms, ` +
        `direct ${fmt(percentile(real.direct, 0.1), 0)}/${fmt(percentile(real.direct, 0.9), 0)} ms`,
    );
  }
  return {
    figures: { addedMsP50: round(p50, 3), addedMsP99: round(p99, 3), ratioVsDirect: round(ratio, 3) },
    rows,
    notes,
  };
}
