import { GatewayIntentBits, PermissionFlagsBits } from "discord.js";
import { describe, expect, it } from "vitest";
import { createDiscordChannel } from "../../../src/channels/discord/index.ts";
import { FakeDiscord, ids } from "../../fakes/fake-discord.ts";
import { recordingLogger } from "../../fakes/recording-logger.ts";
import { startHarness } from "./support/harness.ts";
import { TinyCoreApp } from "./support/recording-app.ts";

describe("discord startup", () => {
  it("identifies with exactly Guilds, GuildMessages, MessageContent and DirectMessages, uncompressed", async () => {
    const { fake } = await startHarness();
    const identify = fake.gateway.identifies[0];
    const expected =
      GatewayIntentBits.Guilds |
      GatewayIntentBits.GuildMessages |
      GatewayIntentBits.MessageContent |
      GatewayIntentBits.DirectMessages;
    expect(identify?.intents).toBe(expected);
    expect(identify?.token).toBe(fake.token);
    expect(identify?.compress).toBe(false);
    expect(fake.callsTo("GET", /^\/gateway\/bot$/)).toHaveLength(1);
  });

  it("registers slash commands globally for servers and DMs, generated from the definitions", async () => {
    const { fake } = await startHarness();
    const global = fake.commands.global ?? [];
    expect(global.map((c) => c.name)).toEqual(["thread", "resume", "threads", "rename"]);
    expect(fake.commands.guilds.size).toBe(0);
    const thread = global.find((c) => c.name === "thread");
    expect(thread?.contexts).toEqual([0, 1]);
    expect(thread?.options).toEqual([
      { type: 3, name: "name", description: "Thread name", required: false, autocomplete: true, max_length: 100 },
    ]);
    expect(thread?.default_member_permissions).toBeUndefined();
    const threads = global.find((c) => c.name === "threads");
    expect(threads?.default_member_permissions).toBe(String(PermissionFlagsBits.ManageGuild));
    // Discord refuses a required option after an optional one: required ones go first.
    const rename = global.find((c) => c.name === "rename");
    expect(((rename?.options ?? []) as { name: string }[]).map((o) => o.name)).toEqual(["to", "note"]);
  });

  it("registers per guild when guild ids are set, keeping a DM-only global set", async () => {
    const { fake } = await startHarness({ guildIds: [ids.guild] });
    const guild = fake.commands.guilds.get(ids.guild) ?? [];
    expect(guild.map((c) => c.name)).toEqual(["thread", "resume", "threads", "rename"]);
    expect(guild.find((c) => c.name === "threads")?.default_member_permissions).toBe(
      String(PermissionFlagsBits.ManageGuild),
    );
    expect(guild[0]?.contexts).toBeUndefined();
    expect(fake.commands.global?.every((c) => JSON.stringify(c.contexts) === "[1]")).toBe(true);
  });

  it("logs and skips a guild the bot is not in", async () => {
    const { fake, logger } = await startHarness({ guildIds: ["999999999999999999", ids.guild] });
    expect(fake.commands.guilds.has(ids.guild)).toBe(true);
    expect(logger.entries.some((e) => e.message.includes("could not register slash commands"))).toBe(true);
  });

  it("refuses to start with a wrong token, without logging or echoing it", async () => {
    const fake = await FakeDiscord.start();
    const logger = recordingLogger();
    const discord = createDiscordChannel({
      token: "wrong-token-123",
      apiRoot: fake.apiRoot,
      app: new TinyCoreApp(),
      logger,
    });
    try {
      const error = await discord.start().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toMatch(/refused to log in/);
      expect(error?.message).not.toContain("wrong-token-123");
      expect(logger.text()).not.toContain("wrong-token-123");
    } finally {
      await discord.stop();
      await fake.close();
    }
    expect(fake.misses).toEqual([]);
  });

  it("answers heartbeats", async () => {
    const { fake } = await startHarness({ fake: { heartbeatIntervalMs: 40 } });
    await fake.waitFor(() => fake.gateway.heartbeats >= 2, { what: "two heartbeats" });
  });
});
