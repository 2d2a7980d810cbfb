import { describe, expect, it } from "vitest";
import { type BotWorld, botSays, carol, dave, startBot } from "./support/bot-world.ts";
import { alice, aliceDm, bob, forum, group } from "./support/harness.ts";

/** /thread <name> from the forum's General; returns the topic id it opened. */
async function openTopic(world: BotWorld, name: string): Promise<number> {
  world.tg.userMessage(forum.id, alice, `/thread ${name}`);
  await botSays(world, forum.id, undefined, /Created thread/);
  const topic = world.tg.topics(forum.id).find((t) => t.name === name);
  if (!topic) throw new Error(`no topic ${name}`);
  return topic.id;
}

function sessionKeysSent(world: BotWorld): string[] {
  return world.gw.requestsOf("chat.send").map((r) => (r.params as { sessionKey: string }).sessionKey);
}

describe("telegram with the real core", () => {
  it("opens a topic from General, answers in it, and re-attaches the same session from a DM", async () => {
    const world = await startBot();
    const topicId = await openTopic(world, "budget-planning");
    const topicKey = `telegram:${forum.id}:topic:${topicId}`;
    expect(world.store.state.bindings[topicKey]?.slug).toBe("budget-planning");
    expect(world.store.state.bindings[`telegram:${forum.id}`]).toBeUndefined();

    world.tg.userMessage(forum.id, alice, "hello there", { topicId });
    await botSays(world, forum.id, topicId, "ECHO: hello there");
    expect(world.tg.sent("sendChatAction").some((p) => p.message_thread_id === topicId)).toBe(true);
    const sessionKey = world.store.state.threads["budget-planning"]?.sessionKey;
    expect(sessionKeysSent(world)).toEqual([sessionKey]);

    world.tg.userMessage(aliceDm.id, alice, "/thread budget-planning");
    await botSays(world, aliceDm.id, undefined, /Attached thread "budget-planning"/);
    world.tg.userMessage(aliceDm.id, alice, "and from the DM");
    await botSays(world, aliceDm.id, undefined, "ECHO: and from the DM");
    expect(sessionKeysSent(world)).toEqual([sessionKey, sessionKey]);
    // The answer went back only where the message came from.
    expect(world.tg.botMessages(forum.id, topicId).map((m) => m.message.text)).not.toContain("ECHO: and from the DM");
  });

  it("reopens the thread's own topic when /thread names it again from General", async () => {
    const world = await startBot();
    const topicId = await openTopic(world, "ops");
    world.tg.world.chat(forum.id).topics.get(topicId)!.closed = true;
    world.tg.userMessage(forum.id, bob, "/thread ops");
    await botSays(world, forum.id, undefined, /Attached thread "ops"/);
    expect(world.tg.topics(forum.id)).toHaveLength(1);
    expect(world.tg.topic(forum.id, topicId)?.closed).toBe(false);
  });

  it("lists /threads for a chat admin and a configured admin, refuses a plain member", async () => {
    const world = await startBot();
    await openTopic(world, "ops");
    world.tg.userMessage(forum.id, bob, "/threads");
    await botSays(world, forum.id, undefined, /Only admins/);
    world.tg.userMessage(forum.id, alice, "/threads");
    await botSays(world, forum.id, undefined, /^Threads 1–1 of 1[\s\S]*ops/);
    world.tg.userMessage(dave.id, dave, "/threads");
    await botSays(world, dave.id, undefined, /ops/);
  });

  it("makes no gateway call for a user who is not allowed, and tells them their id in a DM", async () => {
    const world = await startBot();
    const topicId = await openTopic(world, "quiet");
    const before = world.gw.requests.length;
    world.tg.userMessage(forum.id, carol, "let me in", { topicId });
    world.tg.userMessage(forum.id, carol, "/thread sneaky", { topicId });
    world.tg.userMessage(carol.id, carol, "hello?");
    await botSays(world, carol.id, undefined, /telegram:103/);
    world.tg.userMessage(forum.id, alice, "after carol", { topicId });
    await botSays(world, forum.id, topicId, "ECHO: after carol");
    const after = world.gw.requests.slice(before).map((r) => JSON.stringify(r.params));
    expect(after.some((p) => p.includes("let me in") || p.includes("sneaky") || p.includes("hello?"))).toBe(false);
    expect(world.tg.botMessages(forum.id, topicId).map((m) => m.message.text)).toEqual(["ECHO: after carol"]);
  });

  it("follows a group upgraded to a supergroup: the thread bound in the group answers in the supergroup", async () => {
    const world = await startBot();
    world.tg.userMessage(group.id, alice, "/thread budget");
    await botSays(world, group.id, undefined, /Created thread/);
    world.tg.userMessage(group.id, alice, "first question");
    await botSays(world, group.id, undefined, "ECHO: first question");
    const supergroupId = -1004242;
    world.tg.migrateChat(group.id, alice, { newId: supergroupId });
    world.tg.userMessage(supergroupId, bob, "second question");
    await botSays(world, supergroupId, undefined, "ECHO: second question");
    // Same session; the binding moved once although both chats announced the upgrade.
    expect(new Set(sessionKeysSent(world))).toEqual(new Set(["agent:main:named:budget"]));
    expect(world.store.state.bindings).toEqual({
      [`telegram:${supergroupId}`]: expect.objectContaining({ slug: "budget" }),
    });
    world.tg.userMessage(supergroupId, alice, "/thread");
    await botSays(world, supergroupId, undefined, /budget/);
    expect(world.logger.entries.filter((e) => e.message === "conversation moved")).toHaveLength(1);
    expect(world.logger.entries.filter((e) => e.level === "error")).toEqual([]);
  });

  it("answers bad input with one line and changes nothing", async () => {
    const world = await startBot();
    world.tg.userMessage(aliceDm.id, alice, `/thread ${"x".repeat(5000)}`);
    await botSays(world, aliceDm.id, undefined, /at most 100 characters/);
    expect(world.store.state.bindings).toEqual({});
    // A name of emoji only is valid: its slug is derived from a hash (ARCHITECTURE.md §3).
    world.tg.userMessage(aliceDm.id, alice, "/thread 🙂🙂🙂");
    await botSays(world, aliceDm.id, undefined, /Created thread "🙂🙂🙂" \(t-/);
    world.tg.channelPost({ id: -1009001, type: "channel", title: "News" }, "/thread news");
    const notice = await world.telegram.channel.send(`telegram:${aliceDm.id}`, { text: "a bot message" });
    const message = world.tg.world.chat(aliceDm.id).messages.get(Number(notice))!.message;
    world.tg.callbackQuery(alice, message, "garbage:\u0000");
    const answer = await world.tg.waitForCall("answerCallbackQuery");
    expect(answer.params.text).toMatch(/not one of this bot's/);
    expect(Object.keys(world.store.state.bindings)).toEqual([`telegram:${aliceDm.id}`]);
    expect(world.gw.requestsOf("chat.send")).toEqual([]);
  });
});
