import { afterEach, expect } from "vitest";
import { createDiscordChannel, type DiscordChannel } from "../../../src/channels/discord/index.ts";
import { type Bot, composeBot } from "../../../src/compose.ts";
import type { ResumePolicy } from "../../../src/core/model.ts";
import { createOpenClawGateway } from "../../../src/gateway/index.ts";
import { MemoryStore } from "../../../src/store/index.ts";
import { FakeDiscord, ids } from "../../fakes/fake-discord.ts";
import { type FakeOpenClawGateway, startFakeGateway } from "../../fakes/fake-gateway.ts";
import { recordingLogger } from "./harness.ts";

/** The whole bot on fakes. */
export interface BotWorld {
  fake: FakeDiscord;
  gw: FakeOpenClawGateway;
  bot: Bot;
  store: MemoryStore;
  discord: DiscordChannel;
  logger: ReturnType<typeof recordingLogger>;
}

let running: BotWorld | undefined;

/** The whole bot (real core, real gateway client, in-memory store) on the fake gateway and fake Discord. */
export async function startBot(options: { policy?: ResumePolicy } = {}): Promise<BotWorld> {
  const fake = await FakeDiscord.start();
  const gw = await startFakeGateway();
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
    allowedUsers: [`discord:${ids.alice}`, `discord:${ids.bob}`],
    adminUsers: [`discord:${ids.dave}`],
  });
  const discord = createDiscordChannel({ token: fake.token, apiRoot: fake.apiRoot, app: bot.app, logger });
  bot.channels.add(discord.channel);
  running = { fake, gw, bot, store, discord, logger };
  await discord.start();
  await bot.start();
  return running;
}

afterEach(async () => {
  if (!running) return;
  const { fake, gw, bot, discord, logger } = running;
  running = undefined;
  await discord.stop();
  await bot.stop();
  await gw.stop();
  await fake.close();
  expect(fake.misses).toEqual([]);
  // The adapter had nothing to complain about (the core may warn about the crashes tests cause).
  const complaints = logger.lines.filter((l) => /"level":"(warn|error)","message":"discord:/.test(l));
  expect(complaints).toEqual([]);
  expect(logger.lines.join("\n")).not.toContain(fake.token);
});

/** The bot's latest message in a channel once its text settles on `text`. */
export async function botSays(fake: FakeDiscord, channelId: string, text: string) {
  return fake.waitFor(() => fake.messagesIn(channelId).find((m) => m.author.id === ids.bot && m.content === text), {
    what: `"${text}" in ${channelId}`,
  });
}
