import { describe, expect, it } from "vitest";
import { splitMessage } from "../../../src/core/turns/split.ts";
import { ids } from "../../fakes/fake-discord.ts";
import { startHarness } from "./support/harness.ts";

const general = `discord:${ids.guild}:${ids.general}`;

/** A 6,000-character Markdown answer with a long code block in the middle. */
function longAnswer(): string {
  const prose = Array.from({ length: 30 }, (_, i) => `Paragraph ${i}: the agent explains a step in some detail.`);
  const code = Array.from({ length: 60 }, (_, i) => `  const value${i} = compute(${i}); // step ${i}`);
  const text = [...prose.slice(0, 15), "```ts", ...code, "```", ...prose.slice(15)].join("\n");
  return text.padEnd(6_000, " tail");
}

/** Every ``` in a part is paired, so no part shows a code block split open. */
function fencesBalanced(part: string): boolean {
  return (part.match(/^```/gm) ?? []).length % 2 === 0;
}

describe("discord channel port", () => {
  it("declares Discord's limits", async () => {
    const { discord } = await startHarness();
    expect(discord.channel).toMatchObject({ platform: "discord", maxMessageLength: 2000 });
    expect(discord.channel.minEditIntervalMs).toBeGreaterThanOrEqual(1000);
  });

  it("sends, edits in place and shows typing in a channel", async () => {
    const { fake, discord } = await startHarness();
    const id = await discord.channel.send(general, { text: "Thinking", format: "markdown" });
    await discord.channel.edit(general, id, { text: "Thinking about **it**", format: "markdown" });
    await discord.channel.typing(general);
    const message = fake.world.messages.get(id);
    expect(message?.content).toBe("Thinking about **it**");
    expect(message?.edits).toEqual(["Thinking"]);
    expect(fake.callsTo("POST", new RegExp(`^/channels/${ids.general}/typing$`))).toHaveLength(1);
    expect(fake.calls.find((c) => c.path.endsWith("/typing"))?.status).toBe(204);
  });

  it("sends into a DM conversation through the user's DM channel", async () => {
    const { fake, discord } = await startHarness();
    await discord.channel.send(`discord:dm:${ids.bob}`, { text: "hi bob" });
    await discord.channel.send(`discord:dm:${ids.bob}`, { text: "again" });
    expect(fake.callsTo("POST", /^\/users\/@me\/channels$/)).toHaveLength(1);
    expect(fake.messagesIn(fake.dmChannelId(ids.bob)).map((m) => m.content)).toEqual(["hi bob", "again"]);
  });

  it("delivers a 6,000-character answer split by splitMessage in parts ≤ 2000, no code block broken", async () => {
    const { fake, discord } = await startHarness();
    const thread = `discord:${ids.guild}:${ids.activeThread}`;
    const parts = splitMessage(longAnswer(), discord.channel.maxMessageLength);
    for (const part of parts) await discord.channel.send(thread, { text: part, format: "markdown" });
    const stored = fake.messagesIn(ids.activeThread).map((m) => m.content);
    expect(stored).toEqual(parts);
    expect(stored.length).toBeGreaterThanOrEqual(4);
    expect(stored.every((p) => p.length <= 2000 && fencesBalanced(p))).toBe(true);
    expect(fake.calls.filter((c) => c.status >= 400)).toEqual([]);
  });

  it("splits a message that is still too long rather than losing it", async () => {
    const { fake, discord } = await startHarness();
    await discord.channel.send(general, { text: longAnswer(), format: "markdown" });
    const stored = fake.messagesIn(ids.general).map((m) => m.content);
    expect(stored.length).toBeGreaterThanOrEqual(4);
    expect(stored.every((p) => p.length <= 2000 && fencesBalanced(p))).toBe(true);
  });

  it("refuses an edit over the limit before calling Discord", async () => {
    const { fake, discord } = await startHarness();
    const id = await discord.channel.send(general, { text: "short" });
    await expect(discord.channel.edit(general, id, { text: "x".repeat(2001) })).rejects.toThrow(/2000/);
    expect(fake.callsTo("PATCH", /messages/)).toHaveLength(0);
  });

  it("passes Markdown through and shows the bot's plain text literally, pinging nobody", async () => {
    const { fake, discord } = await startHarness();
    await discord.channel.send(general, { text: "**bold** `code`", format: "markdown" });
    await discord.channel.send(general, { text: 'Attached "my_thread_name" @everyone', format: "plain" });
    const [markdown, plain] = fake.messagesIn(ids.general);
    expect(markdown?.content).toBe("**bold** `code`");
    expect(plain?.content).toBe('Attached "my\\_thread\\_name" @everyone');
    const post = fake.callsTo("POST", /messages$/)[1]?.body as { allowed_mentions?: unknown };
    expect(post.allowed_mentions).toEqual({ parse: [] });
  });

  it("renders buttons as an action row whose custom ids are the button data, and clears them on edit", async () => {
    const { fake, discord } = await startHarness();
    const buttons = [
      { label: "Resume", data: "tk:r:abc" },
      { label: "Stop", data: "tk:s:abc" },
    ];
    const id = await discord.channel.send(general, { text: "Interrupted.", buttons });
    const row = fake.world.messages.get(id)?.components[0] as { type: number; components: Record<string, unknown>[] };
    expect(row.type).toBe(1);
    expect(row.components.map((b) => [b.type, b.label, b.custom_id])).toEqual([
      [2, "Resume", "tk:r:abc"],
      [2, "Stop", "tk:s:abc"],
    ]);
    await discord.channel.edit(general, id, { text: "Resumed." });
    expect(fake.world.messages.get(id)?.components).toEqual([]);
  });

  it("retries after an injected 429 and loses nothing", async () => {
    const { fake, discord } = await startHarness();
    fake.failNext({ method: "POST", path: new RegExp(`^/channels/${ids.general}/messages$`), retryAfter: 0.1 });
    fake.failNext({ method: "PATCH", path: /\/messages\/\d+$/, retryAfter: 0.05, global: true });
    const id = await discord.channel.send(general, { text: "one" });
    await discord.channel.edit(general, id, { text: "one, edited" });
    await discord.channel.send(general, { text: "two" });
    expect(fake.messagesIn(ids.general).map((m) => m.content)).toEqual(["one, edited", "two"]);
    const posts = fake.callsTo("POST", /messages$/);
    expect(posts.map((c) => c.status)).toEqual([429, 200, 200]);
    expect(fake.callsTo("PATCH", /messages/).map((c) => c.status)).toEqual([429, 200]);
  });

  it("fails clearly for a conversation that is not Discord's or a channel that is gone", async () => {
    const { discord } = await startHarness();
    await expect(discord.channel.send("telegram:1", { text: "x" })).rejects.toThrow(/Not a Discord conversation/);
    await expect(discord.channel.send(`discord:${ids.guild}:123`, { text: "x" })).rejects.toThrow(/Discord refused/);
  });
});
