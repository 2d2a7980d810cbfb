import { afterEach, expect } from "vitest";
import { createDiscordChannel, type DiscordChannel } from "../../../src/channels/discord/index.ts";
import type { Logger } from "../../../src/core/ports.ts";
import { FakeDiscord, type FakeDiscordOptions } from "../../fakes/fake-discord.ts";
import { RecordingApp } from "./recording-app.ts";

/** A logger that keeps every line as JSON text (to assert that the token never shows up). */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(
      JSON.stringify({ level, message, ...fields }, (_k, v) => (v instanceof Error ? { message: v.message } : v)),
    );
  };
  return { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** One fake Discord, the real adapter logged into it, and the recording app behind it. */
export interface Harness {
  fake: FakeDiscord;
  discord: DiscordChannel;
  app: RecordingApp;
  logger: Logger & { lines: string[] };
}

const running: Harness[] = [];

/**
 * Starts the fake and the adapter (registers cleanup: client destroyed, fake closed, and the
 * fake's list of unimplemented routes the bot called must be empty).
 */
export async function startHarness(
  options: { guildIds?: string[]; deferAfterMs?: number; fake?: FakeDiscordOptions; app?: RecordingApp } = {},
): Promise<Harness> {
  const fake = await FakeDiscord.start(options.fake);
  const app = options.app ?? new RecordingApp();
  const logger = recordingLogger();
  const discord = createDiscordChannel({
    token: fake.token,
    apiRoot: fake.apiRoot,
    guildIds: options.guildIds,
    app,
    logger,
    deferAfterMs: options.deferAfterMs,
  });
  const harness = { fake, discord, app, logger };
  running.push(harness);
  await discord.start();
  return harness;
}

afterEach(async () => {
  for (const harness of running.splice(0)) {
    await harness.discord.stop();
    await harness.fake.close();
    expect(harness.fake.misses).toEqual([]);
    expect(harness.logger.lines.join("\n")).not.toContain(harness.fake.token);
  }
});
