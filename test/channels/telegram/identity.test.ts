import { describe, expect, it } from "vitest";
import type { StoredMessage } from "../../fakes/fake-telegram.ts";
import { type BotWorld, botSays, dave, startBot } from "./support/bot-world.ts";
import { alice, aliceDm, bob, forum, group } from "./support/harness.ts";

/** /thread <name> from the forum's General; returns the topic the bot opened and its conversation key. */
async function openTopic(world: BotWorld, name: string): Promise<{ id: number; key: string }> {
  world.tg.userMessage(forum.id, alice, `/thread ${name}`);
  await botSays(world, forum.id, undefined, /Created thread/);
  const topic = world.tg.topics(forum.id).find((t) => t.name === name);
  if (!topic) throw new Error(`no topic ${name}`);
  return { id: topic.id, key: `telegram:${forum.id}:topic:${topic.id}` };
}

/** The toast the n-th button press was answered with. */
async function toast(world: BotWorld, n: number): Promise<string> {
  await world.tg.waitUntil(() => world.tg.sent("answerCallbackQuery").length >= n || undefined, { what: "a toast" });
  return String(world.tg.sent("answerCallbackQuery")[n - 1]?.text ?? "");
}

function button(message: StoredMessage, index: number): string {
  return message.message.reply_markup?.inline_keyboard[0]?.[index]?.callback_data ?? "";
}

describe("telegram: /thread rename, fork, reset, delete through grammY and the fake Bot API", () => {
  it("rename in a topic renames the topic (editForumTopic, cut to 128 units); the old name still reaches it", async () => {
    const world = await startBot();
    const topic = await openTopic(world, "budget");
    // 161 UTF-16 units: a plain cut at 128 would end on the first half of an emoji.
    const name = `a${"🙂".repeat(80)}`;
    world.tg.userMessage(forum.id, alice, `/thread rename ${name}`, { topicId: topic.id });
    await botSays(
      world,
      forum.id,
      topic.id,
      /^Renamed "budget" to "a(?:🙂)+"\. Its slug \(budget\) and OpenClaw session key/u,
    );
    expect(world.tg.sent("editForumTopic")).toEqual([
      { chat_id: forum.id, message_thread_id: topic.id, name: `a${"🙂".repeat(63)}` },
    ]);
    expect(world.tg.topic(forum.id, topic.id)?.name).toBe(`a${"🙂".repeat(63)}`);
    world.tg.userMessage(aliceDm.id, alice, "/thread budget");
    await botSays(world, aliceDm.id, undefined, /^Attached thread "a(?:🙂)+" \(budget\)/u);
    expect(world.tg.topics(forum.id)).toHaveLength(1);
  });

  it("rename of a thread whose topic was deleted since, and bad input in one line", async () => {
    const world = await startBot();
    const topic = await openTopic(world, "ops");
    world.tg.world.chat(forum.id).topics.get(topic.id)!.deleted = true;
    world.tg.userMessage(aliceDm.id, alice, "/thread ops");
    await botSays(world, aliceDm.id, undefined, /Attached thread "ops"/);
    world.tg.userMessage(aliceDm.id, alice, "/thread rename Operations");
    await botSays(world, aliceDm.id, undefined, /^Renamed "ops" to "Operations"/);
    world.tg.userMessage(aliceDm.id, alice, "/thread rename delete");
    await botSays(world, aliceDm.id, undefined, '"delete" is a /thread subcommand; pick another thread name.');
    world.tg.userMessage(group.id, bob, "/thread rename Anything");
    await botSays(world, group.id, undefined, "No thread is bound here. Start one with /thread <name>.");
    expect(world.store.state.threads.ops?.name).toBe("Operations");
  });

  it("a topic a fork was bound in since keeps its name when the original is renamed", async () => {
    const world = await startBot();
    const topic = await openTopic(world, "budget");
    world.tg.userMessage(forum.id, alice, "/thread fork Budget B", { topicId: topic.id });
    await botSays(world, forum.id, topic.id, /^Forked "budget" into "Budget B" \(budget-b\), bound here/);
    world.tg.userMessage(aliceDm.id, alice, "/thread budget");
    await botSays(world, aliceDm.id, undefined, /Attached thread "budget"/);
    world.tg.userMessage(aliceDm.id, alice, "/thread rename Finance");
    await botSays(world, aliceDm.id, undefined, /^Renamed "budget" to "Finance"/);
    expect(world.tg.sent("editForumTopic")).toEqual([]);
    expect(world.tg.topic(forum.id, topic.id)?.name).toBe("budget");
  });

  it("reset asks with buttons; only the asker's press acts, once", async () => {
    const world = await startBot();
    world.tg.userMessage(group.id, alice, "/thread Budget");
    await botSays(world, group.id, undefined, /Created thread/);
    world.tg.userMessage(group.id, alice, "/thread reset");
    const question = await botSays(world, group.id, undefined, /^Reset "Budget"\?/);
    world.tg.callbackQuery(bob, question.message, button(question, 0));
    expect(await toast(world, 1)).toBe("Only the person who asked can answer this.");
    world.tg.callbackQuery(alice, question.message, button(question, 0));
    expect(await toast(world, 2)).toBe('"Budget" was reset: a new, empty history under the same name and key.');
    // The question lost its buttons; a press that still arrives (a stale client) acts no more.
    const edited = world.tg.botMessages(group.id).find((m) => m.message.message_id === question.message.message_id);
    expect(edited?.message.text).toMatch(/was reset/);
    expect(edited?.message.reply_markup?.inline_keyboard ?? []).toEqual([]);
    world.tg.callbackQuery(alice, question.message, button(question, 0));
    expect(await toast(world, 3)).toMatch(/already answered|not one of this bot's/);
    expect(world.gw.requestsOf("sessions.reset")).toHaveLength(1);
  });

  it("delete is for admins: a member is refused in one line, an admin deletes after the question", async () => {
    const world = await startBot();
    world.tg.userMessage(aliceDm.id, alice, "/thread Budget");
    await botSays(world, aliceDm.id, undefined, /Created thread/);
    world.tg.userMessage(aliceDm.id, alice, "/thread delete");
    await botSays(world, aliceDm.id, undefined, "Only admins can use /thread delete.");
    world.tg.userMessage(dave.id, dave, "/thread budget");
    await botSays(world, dave.id, undefined, /Attached thread/);
    world.tg.userMessage(dave.id, dave, "/thread delete");
    const question = await botSays(world, dave.id, undefined, /^Delete "Budget"\?/);
    world.tg.callbackQuery(dave, question.message, button(question, 0));
    expect(await toast(world, 1)).toMatch(/was deleted/);
    expect(world.store.state.threads).toEqual({});
    expect(world.gw.requestsOf("sessions.delete")).toHaveLength(1);
  });

  it("a chat admin may delete a thread only while it is bound in that chat alone", async () => {
    const world = await startBot();
    const topic = await openTopic(world, "budget");
    world.tg.userMessage(aliceDm.id, alice, "/thread budget");
    await botSays(world, aliceDm.id, undefined, /Attached thread "budget"/);
    world.tg.userMessage(forum.id, alice, "/thread delete", { topicId: topic.id });
    await botSays(
      world,
      forum.id,
      topic.id,
      '"budget" is also bound outside this chat or server, so only the bot\'s admins (ADMIN_USERS) can delete it. Nothing changed.',
    );
    world.tg.userMessage(aliceDm.id, alice, "/thread off");
    await botSays(world, aliceDm.id, undefined, /^Unbound "budget"/);
    world.tg.userMessage(forum.id, alice, "/thread delete", { topicId: topic.id });
    const question = await botSays(world, forum.id, topic.id, /^Delete "budget"\?/);
    world.tg.callbackQuery(alice, question.message, button(question, 0));
    expect(await toast(world, 1)).toMatch(/was deleted/);
    expect(world.gw.requestsOf("sessions.delete")).toHaveLength(1);
  });
});
