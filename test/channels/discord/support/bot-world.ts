import type { DiscordChannel } from "../../../../src/channels/discord/index.ts";
import { FakeDiscord, ids } from "../../../fakes/fake-discord.ts";
import { startBotWorld, type BotWorld as World, type WorldOptions } from "../../support/bot-world.ts";
import { discordRig } from "./harness.ts";

/** The whole bot on fakes with the real Discord channel (`discord`) on a fake Discord (`fake`). */
export interface BotWorld extends World<DiscordChannel> {
  fake: FakeDiscord;
  discord: DiscordChannel;
}

/** The whole bot (real core, real gateway client, in-memory store) on the fake gateway and fake Discord. */
export async function startBot(options: Pick<WorldOptions, "policy" | "commands"> = {}): Promise<BotWorld> {
  const fake = await FakeDiscord.start();
  const world = await startBotWorld(discordRig(fake), {
    allowedUsers: [`discord:${ids.alice}`, `discord:${ids.bob}`],
    adminUsers: [`discord:${ids.dave}`],
    policy: options.policy,
    commands: options.commands,
  });
  return { ...world, fake, discord: world.channel };
}
