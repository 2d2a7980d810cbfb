/**
 * The shared set-up of a bot e2e file: one fake model and one real gateway for the whole file, a temp dir
 * for stores, and the in-process bot of the current test stopped after it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { ResumePolicy } from "../../../src/core/model.ts";
import { startE2eGateway } from "../harness/e2e-context.ts";
import { type FakeModel, startFakeModel } from "../harness/fake-model.ts";
import type { Gateway, GatewayOptions } from "../harness/gateway.ts";
import { type InProcessBot, startInProcessBot } from "./in-process-bot.ts";
import { sleep, until } from "./waits.ts";

/** What a test of the file reaches; filled in by beforeAll. */
export interface GatewaySuite {
  model: FakeModel;
  gateway: Gateway;
  /** Temp dir for this file's stores. */
  dir: string;
  /** Starts an in-process bot with its store at `<dir>/<storeName>.json`; stopped after the test. */
  startBot(storeName: string, policy: ResumePolicy): Promise<InProcessBot>;
  /** Stops the current bot now (a test that restarts the bot). */
  stopBot(): Promise<void>;
}

/** Registers the hooks; call inside `describe`. `extra` reaches the gateway (e.g. `configure` for its config). */
export function useGatewaySuite(name: string, extra: Partial<GatewayOptions> = {}): GatewaySuite {
  let bot: InProcessBot | undefined;
  const suite = {
    async startBot(storeName: string, policy: ResumePolicy) {
      bot = await startInProcessBot({
        gateway: suite.gateway,
        storePath: join(suite.dir, `${storeName}.json`),
        policy,
      });
      return bot;
    },
    async stopBot() {
      await bot?.stop();
      bot = undefined;
    },
  } as GatewaySuite;
  beforeAll(async () => {
    suite.model = await startFakeModel();
    suite.gateway = await startE2eGateway(suite.model, name, extra);
    suite.dir = mkdtempSync(join(tmpdir(), `tk-${name}-`));
  });
  afterEach(async () => {
    suite.model.recoveryMode = "answer";
    suite.model.release(); // nothing a test left held may answer into the next one
    await suite.stopBot();
  });
  afterAll(async () => {
    await suite.stopBot();
    await suite.gateway?.cleanup();
    await suite.model?.close();
    if (suite.dir) rmSync(suite.dir, { recursive: true, force: true });
  });
  return suite;
}

/**
 * Sends `HOLD <text>` and, once the model holds that very answer with its first words streamed, crashes
 * the gateway (SIGKILL) and starts it again. Returns how many model requests came before the turn.
 */
export async function crashMidAnswer(
  suite: GatewaySuite,
  bot: InProcessBot,
  conversation: string,
  text: string,
): Promise<number> {
  const before = suite.model.requests.length;
  await bot.say(conversation, `HOLD ${text}`);
  await suite.model.waitForHeld(30_000, before);
  await sleep(500);
  await suite.gateway.crash();
  await suite.gateway.start();
  return before;
}

/** The notice the bot posts in `conversation` for a turn a restart cut short. */
export function interruptionNotice(bot: InProcessBot, conversation: string) {
  return until(
    "the notice",
    () => bot.channel.in(conversation).find((m) => m.text.includes("restart interrupted")),
    30_000,
  );
}
