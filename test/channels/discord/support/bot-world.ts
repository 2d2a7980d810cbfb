import type { DiscordChannel } from "../../../../src/channels/discord/index.ts";
import type { ResumePolicy } from "../../../../src/core/model.ts";
import { FakeDiscord, ids } from "../../../fakes/fake-discord.ts";
import { startBotWorld, type BotWorld as World } from "../../support/bot-world.ts";
import { discordRig } from "./harness.ts";

/** The whole bot on fakes with the real Discord channel (`discord`) on a fake Discord (`fake`). */
export interface BotWorld extends World<DiscordChannel> {
  fake: FakeDiscord;
  discord: DiscordChannel;
}

/** The whole bot (real core, real gateway client, in-memory store) on the fake gateway and fake Discord. */
export async function startBot(
  options: { policy?: ResumePolicy; guildIds?: string[] | undefined } = {},
): Promise<BotWorld> {
  const fake = await FakeDiscord.start();
  const world = await startBotWorld(discordRig(fake, { guildIds: options.guildIds }), {
    allowedUsers: [`discord:${ids.alice}`, `discord:${ids.bob}`],
    adminUsers: [`discord:${ids.dave}`],
    policy: options.policy,
  });
  return { ...world, fake, discord: world.channel };
}
