import { expect } from "vitest";
import { createDiscordChannel, type DiscordChannel } from "../../../../src/channels/discord/index.ts";
import { FakeDiscord, type FakeDiscordOptions, type InteractionRecord } from "../../../fakes/fake-discord.ts";
import type { RecordingLogger } from "../../../fakes/recording-logger.ts";
import { type ChannelRig, startChannel } from "../../support/rig.ts";
import { TinyCoreApp } from "./recording-app.ts";

/** How the Discord channel is set up in a test. */
export interface DiscordSetup {
  guildIds?: string[] | undefined;
  deferAfterMs?: number | undefined;
}

/** The real Discord channel on `fake`; after it stops, the fake must have served every route the bot called. */
export function discordRig(fake: FakeDiscord, setup: DiscordSetup = {}): ChannelRig<DiscordChannel> {
  return {
    logPrefix: "discord:",
    secrets: [fake.token],
    connect: (app, logger) => createDiscordChannel({ token: fake.token, apiRoot: fake.apiRoot, app, logger, ...setup }),
    close: async () => {
      await fake.close();
      expect(fake.misses).toEqual([]);
    },
  };
}

/** One fake Discord, the real adapter logged into it, and the recording app behind it. */
export interface Harness {
  fake: FakeDiscord;
  discord: DiscordChannel;
  app: TinyCoreApp;
  logger: RecordingLogger;
}

/** Starts the fake and the adapter; both stop after the test. */
export async function startHarness(options: DiscordSetup & { fake?: FakeDiscordOptions } = {}): Promise<Harness> {
  const { fake: fakeOptions, ...setup } = options;
  const fake = await FakeDiscord.start(fakeOptions);
  const app = new TinyCoreApp();
  const { channel: discord, logger } = await startChannel(discordRig(fake, setup), app);
  return { fake, discord, app, logger };
}

/** Sends a slash command and resolves with its record once Discord shows its first answer. */
export async function slashAnswered(
  fake: FakeDiscord,
  input: Parameters<FakeDiscord["slash"]>[0],
): Promise<InteractionRecord> {
  const record = fake.slash(input);
  await fake.waitFor(() => record.original, { what: `/${input.name} answer` });
  return record;
}
