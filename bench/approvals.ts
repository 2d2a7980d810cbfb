/**
 * Approval round trip: from a button press to `exec.approval.resolve` reaching the gateway. The bot
 * (real core and client, JSON store on disk) answers approvals the in-process fake gateway holds for
 * a thread's exec; a bare approver client (operator.admin + caps exec-approvals) answers the same kind
 * of approval on a second fake gateway by calling exec.approval.resolve itself. Per approval:
 *   bot    = App.handleAction(Approve) called → the resolve frame parsed by the fake gateway
 *   direct = request written by the bare client → the resolve frame parsed
 * What the bot adds is bot − direct (its access checks, the store write of the decision).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openJsonStore } from "../src/store/index.ts";
import { RawClient } from "../test/e2e/harness/raw-client.ts";
import { type FakeOpenClawGateway, startFakeGateway } from "../test/fakes/fake-gateway.ts";
import { startCoreBot } from "./lib/core-bot.ts";
import type { SectionResult } from "./lib/report.ts";
import { percentile, until } from "./lib/stats.ts";

const ROUNDS = 60;
const WARMUP = 10;

/** performance.now() when the next exec.approval.resolve frame reaches `gw`. */
function nextResolve(gw: FakeOpenClawGateway): Promise<number> {
  return new Promise((resolve) => {
    const requests = gw.requests;
    const push = requests.push.bind(requests);
    requests.push = (...items) => {
      if (items.some((i) => i.method === "exec.approval.resolve")) {
        requests.push = push;
        resolve(performance.now());
      }
      return push(...items);
    };
  });
}

function approvalReply(command: string) {
  return { text: "done", tools: [{ name: "exec", args: { command }, approval: { command } }] };
}

async function botSamples(dir: string): Promise<number[]> {
  const gw = await startFakeGateway();
  const store = await openJsonStore({ path: join(dir, "threads.json") });
  const bot = await startCoreBot({ url: gw.url, token: gw.token, store });
  const samples: number[] = [];
  try {
    await bot.command("thread", "approvals-bench");
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      gw.model.next(approvalReply(`echo ${i}`));
      const shown = new Promise<string>((resolve) => {
        bot.channel.onButtons = (buttons) => resolve(buttons[0]?.data ?? "");
      });
      const answered = bot.channel.expect("done");
      await bot.say(`run ${i}`);
      const data = await shown;
      const arrived = nextResolve(gw);
      const pressed = performance.now();
      await bot.bot.app.handleAction({
        place: { conversation: "console:bench", direct: true },
        sender: { id: "console:bench" },
        data,
      });
      const at = await arrived;
      if (i >= WARMUP) samples.push(at - pressed);
      await answered;
      await until(() => Object.keys(store.state.journal).length === 0, "the turn to close");
    }
    return samples;
  } finally {
    await bot.stop();
    await store.close();
    await gw.stop();
  }
}

async function directSamples(): Promise<number[]> {
  const gw = await startFakeGateway();
  const approver = await RawClient.connect({ url: gw.url, token: gw.token, caps: ["exec-approvals"] });
  const samples: number[] = [];
  try {
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const since = approver.mark();
      const asked = gw.approvals.ask({ sessionKey: "agent:main:named:direct", runId: `r${i}`, command: `echo ${i}` });
      const event = await approver.waitForEvent((e) => e.event === "exec.approval.requested", 10_000, since);
      const id = String((event.payload as { id: string }).id);
      const arrived = nextResolve(gw);
      const pressed = performance.now();
      const resolved = approver.request("exec.approval.resolve", { id, decision: "allow-once" });
      const at = await arrived;
      await resolved;
      await asked;
      if (i >= WARMUP) samples.push(at - pressed);
    }
    return samples;
  } finally {
    await approver.close();
    await gw.stop();
  }
}

/** The section: p50 and p99 of the bot's and the bare client's press → resolve, and what the bot adds. */
export async function run(): Promise<SectionResult> {
  const dir = mkdtempSync(join(tmpdir(), "tk-bench-approvals-"));
  try {
    const direct = await directSamples();
    const bot = await botSamples(dir);
    const p50 = (xs: number[]) => percentile(xs, 0.5);
    const added = p50(bot) - p50(direct);
    return {
      figures: { addedMsP50: round(added), botMsP50: round(p50(bot)), directMsP50: round(p50(direct)) },
      rows: [
        {
          figure: "press → resolve p50 (ms)",
          ours: round(p50(bot)).toFixed(2),
          baseline: round(p50(direct)).toFixed(2),
        },
        {
          figure: "press → resolve p99 (ms)",
          ours: round(percentile(bot, 0.99)).toFixed(2),
          baseline: round(percentile(direct, 0.99)).toFixed(2),
        },
        { figure: "added by the bot, p50 (ms)", ours: round(added).toFixed(2), target: "≤ 20", met: added <= 20 },
      ],
      notes: [
        `${ROUNDS} approvals each way after ${WARMUP} warm-up; baseline = a bare approver client calling exec.approval.resolve`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
