import { describe, expect, it } from "vitest";
import { type BotWorld, botSays, startBot } from "./support/bot-world.ts";
import { alice, aliceDm, forum } from "./support/harness.ts";

/** /thread <name> from the forum's General; returns the topic the bot opened and its conversation key. */
async function openTopic(world: BotWorld, name: string): Promise<{ id: number; key: string }> {
  world.tg.userMessage(forum.id, alice, `/thread ${name}`);
  await botSays(world, forum.id, undefined, /Created thread/);
  const topic = world.tg.topics(forum.id).find((t) => t.name === name);
  if (!topic) throw new Error(`no topic ${name}`);
  return { id: topic.id, key: `telegram:${forum.id}:topic:${topic.id}` };
}

// Until `/thread rename` is dispatched by the parent command (branch h0-subcommands), the rename is asked of
// the core's service the subcommand calls; the topic is renamed through the real grammY channel and fake API.
describe("telegram: a renamed thread's forum topic", () => {
  it("renames the topic the bot opened (editForumTopic), cut to Telegram's 128 characters", async () => {
    const world = await startBot();
    const topic = await openTopic(world, "budget");
    // 161 UTF-16 units: a plain cut at 128 would end on the first half of an emoji.
    const name = `a${"🙂".repeat(80)}`;
    const text = await world.bot.services.identity.rename({ conversation: topic.key, name });
    expect(text).toContain(`Renamed "budget" to "${name}"`);
    expect(text).not.toContain("could not be renamed");
    expect(world.tg.sent("editForumTopic")).toEqual([
      { chat_id: forum.id, message_thread_id: topic.id, name: `a${"🙂".repeat(63)}` },
    ]);
    expect(world.tg.topic(forum.id, topic.id)?.name).toBe(`a${"🙂".repeat(63)}`);
    // The topic still answers for the thread; its old name reaches it from General (no new topic).
    world.tg.userMessage(forum.id, alice, "/thread budget");
    await botSays(world, forum.id, undefined, /Attached thread "a🙂/);
    expect(world.tg.topics(forum.id)).toHaveLength(1);
  });

  it("renames a thread whose topic was deleted since without complaint", async () => {
    const world = await startBot();
    const topic = await openTopic(world, "ops");
    world.tg.world.chat(forum.id).topics.get(topic.id)!.deleted = true;
    const text = await world.bot.services.identity.rename({ conversation: topic.key, name: "Operations" });
    expect(text).toMatch(/^Renamed "ops" to "Operations"/);
    expect(text).not.toContain("could not be renamed");
  });

  it("leaves a topic alone once a fork of the thread is bound there", async () => {
    const world = await startBot();
    const topic = await openTopic(world, "budget");
    const place = { conversation: topic.key, direct: false };
    await world.bot.services.identity.fork({ place, name: "Budget B", senderId: `telegram:${alice.id}` });
    world.tg.userMessage(aliceDm.id, alice, "/thread budget");
    await botSays(world, aliceDm.id, undefined, /Attached thread "budget"/);
    await world.bot.services.identity.rename({ conversation: `telegram:${aliceDm.id}`, name: "Finance" });
    expect(world.tg.sent("editForumTopic")).toEqual([]);
    expect(world.tg.topic(forum.id, topic.id)?.name).toBe("budget");
  });
});
