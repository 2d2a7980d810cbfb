import { describe, expect, it } from "vitest";
import { texts } from "../../../src/core/texts.ts";
import { ids } from "../../fakes/fake-discord.ts";
import { discordSays } from "../support/says.ts";
import { type BotWorld, startBot } from "./support/bot-world.ts";
import { slashAnswered } from "./support/harness.ts";

const sends = (world: BotWorld) => world.gw.requestsOf("chat.send").map((r) => r.params as Record<string, unknown>);

/** A Discord thread with a turn holding after its first words; returns the thread and that message. */
async function streamingInThread(world: BotWorld, name: string) {
  await slashAnswered(world.fake, { userId: ids.alice, channelId: ids.general, name: "thread", options: { name } });
  const threadId = [...world.fake.world.channels.values()].find((c) => c.name === name)?.id ?? "";
  const gate = world.gw.model.hold();
  world.fake.userMessage({ userId: ids.alice, channelId: threadId, content: "write the report" });
  await gate.reached;
  const partial = await discordSays(world.fake, threadId, /^ECHO/);
  return { threadId, partial };
}

describe("/stop and /steer on Discord", () => {
  it("/stop in a thread stops the streaming answer, which stays marked stopped", async () => {
    const world = await startBot();
    const { threadId, partial } = await streamingInThread(world, "report");
    const before = partial.content;
    const slash = await slashAnswered(world.fake, { userId: ids.alice, channelId: threadId, name: "stop" });
    expect(slash.original?.content).toBe('Stopped the running turn of "report".');
    await discordSays(world.fake, threadId, `${before}\n\n${texts.stopped}`);
    expect(world.gw.requestsOf("chat.abort")).toHaveLength(1);
  });

  it("/steer <text> interrupts the running turn; the steered answer follows in the thread", async () => {
    const world = await startBot();
    const { threadId } = await streamingInThread(world, "steered");
    const slash = await slashAnswered(world.fake, {
      userId: ids.bob,
      channelId: threadId,
      name: "steer",
      options: { text: "only the summary" },
    });
    expect(slash.original?.content).toBe(texts.steering("steered"));
    await discordSays(world.fake, threadId, "ECHO: only the summary");
    expect(sends(world).map((s) => s.queueMode)).toEqual([undefined, "interrupt"]);
  });

  it("a reply to the streaming answer steers it", async () => {
    const world = await startBot();
    const { threadId, partial } = await streamingInThread(world, "replied");
    world.fake.userMessage({ userId: ids.alice, channelId: threadId, content: "shorter", replyTo: partial.id });
    await discordSays(world.fake, threadId, "ECHO: shorter");
    expect(sends(world).map((s) => s.queueMode)).toEqual([undefined, "interrupt"]);
  });

  it("/stop is refused to someone not allowed, and nothing is aborted", async () => {
    const world = await startBot();
    const { threadId } = await streamingInThread(world, "guarded");
    const slash = await slashAnswered(world.fake, { userId: ids.carol, channelId: threadId, name: "stop" });
    expect(slash.original?.content).not.toMatch(/Stopped/);
    expect(world.gw.requestsOf("chat.abort")).toEqual([]);
  });

  it("/stop with nothing running answers one line", async () => {
    const world = await startBot();
    await slashAnswered(world.fake, {
      userId: ids.alice,
      channelId: ids.general,
      name: "thread",
      options: { name: "idle" },
    });
    const threadId = [...world.fake.world.channels.values()].find((c) => c.name === "idle")?.id ?? "";
    const slash = await slashAnswered(world.fake, { userId: ids.alice, channelId: threadId, name: "stop" });
    expect(slash.original?.content).toBe('Nothing is running in "idle".');
    expect(world.gw.requestsOf("chat.abort")).toEqual([]);
  });
});
