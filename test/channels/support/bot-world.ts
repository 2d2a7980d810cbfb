import { expect } from "vitest";
import { type Bot, composeBot } from "../../../src/compose.ts";
import type { ResumePolicy } from "../../../src/core/model.ts";
import { createOpenClawGateway } from "../../../src/gateway/index.ts";
import { MemoryStore } from "../../../src/store/index.ts";
import { type FakeOpenClawGateway, startFakeGateway } from "../../fakes/fake-gateway.ts";
import type { RecordingLogger } from "../../fakes/recording-logger.ts";
import { recordingLogger } from "../../fakes/recording-logger.ts";
import { type ChannelRig, expectNoSecrets, type RunningChannel } from "./rig.ts";
import { afterThisTest } from "./teardown.ts";

/** The whole bot on fakes: the real core and gateway client, an in-memory store, one real platform channel. */
export interface BotWorld<C extends RunningChannel> {
  gw: FakeOpenClawGateway;
  bot: Bot;
  store: MemoryStore;
  channel: C;
  logger: RecordingLogger;
}

/** Who may use the bot (ALLOWED_USERS, ADMIN_USERS), and how it resumes turns a crash cut short. */
export interface WorldOptions {
  allowedUsers: string[];
  adminUsers: string[];
  policy?: ResumePolicy | undefined;
}

/**
 * Starts the fake gateway and the whole bot with the rig's channel; resolves once both run. After the
 * test everything stops, and the channel must have logged no complaint (the core may warn about the
 * crashes tests cause) and no secret.
 */
export async function startBotWorld<C extends RunningChannel>(
  rig: ChannelRig<C>,
  options: WorldOptions,
): Promise<BotWorld<C>> {
  // Under confirm OpenClaw's re-run is on, as it always is (the bot takes it back or it skips a child).
  const recovery = options.policy?.startsWith("confirm") ? { delayMs: 30, modelDelayMs: 300, readmitMs: 100 } : false;
  const gw = await startFakeGateway({ recovery });
  const logger = recordingLogger();
  const store = new MemoryStore();
  const gateway = createOpenClawGateway({ url: gw.url, token: gw.token, logger });
  const bot = composeBot({
    store,
    gateway,
    logger,
    agentId: "main",
    policy: options.policy ?? "auto",
    // Recovery grace periods are the gateway's business; the fake needs none.
    sleep: async () => undefined,
    allowedUsers: options.allowedUsers,
    adminUsers: options.adminUsers,
  });
  const channel = rig.connect(bot.app, logger);
  bot.channels.add(channel.channel);
  afterThisTest(async () => {
    await channel.stop();
    await bot.stop();
    await gw.stop();
    await rig.close();
    expect(logger.complaints(rig.logPrefix)).toEqual([]);
    expectNoSecrets(logger, rig.secrets);
  });
  await channel.start();
  await bot.start();
  return { gw, bot, store, channel, logger };
}
