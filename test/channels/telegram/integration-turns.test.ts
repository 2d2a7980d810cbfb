import { describe, expect, it } from "vitest";
import { splitMessage } from "../../../src/core/turns/split.ts";
import type { StoredMessage } from "../../fakes/fake-telegram.ts";
import { type BotWorld, botSays, startBot } from "./support/bot-world.ts";
import { alice, aliceDm, forum, group } from "./support/harness.ts";

async function openTopic(world: BotWorld, name: string): Promise<number> {
  world.tg.userMessage(forum.id, alice, `/thread ${name}`);
  await botSays(world, forum.id, undefined, /Created thread/);
  return world.tg.topics(forum.id).find((t) => t.name === name)!.id;
}

function withButtons(world: BotWorld, chatId: number, topicId: number | undefined): StoredMessage[] {
  return world.tg.botMessages(chatId, topicId).filter((m) => (m.message.reply_markup?.inline_keyboard.length ?? 0) > 0);
}

/** Crashes the gateway in the middle of a turn in the topic; returns the notice it posts there. */
async function crashMidTurn(world: BotWorld, topicId: number, task: string): Promise<StoredMessage> {
  const gate = world.gw.model.hold();
  world.tg.userMessage(forum.id, alice, task, { topicId });
  await gate.reached;
  await world.gw.crash();
  return world.tg.waitUntil(() => withButtons(world, forum.id, topicId)[0], { timeoutMs: 15_000, what: "the notice" });
}

describe("telegram turns with the real core", () => {
  it("streams a 10,000-character answer as edits plus continuation messages, none over 4096, text intact", async () => {
    const world = await startBot();
    const text = Array.from({ length: 200 }, (_, i) => `Line ${i}: the agent explains, at length, what it did.`)
      .join("\n")
      .padEnd(10_000, ".");
    world.gw.model.next({ text, chunks: 8, deltaIntervalMs: 30 });
    world.tg.userMessage(aliceDm.id, alice, "/thread long");
    await botSays(world, aliceDm.id, undefined, /Created thread/);
    world.tg.userMessage(aliceDm.id, alice, "write it all");
    const expected = splitMessage(text, 4096);
    const answer = () => world.tg.botMessages(aliceDm.id).slice(1);
    await world.tg.waitUntil(
      () =>
        answer()
          .map((m) => m.message.text)
          .join("|") === expected.join("|") || undefined,
      {
        timeoutMs: 15_000,
        what: "the whole answer",
      },
    );
    for (const m of answer()) {
      const versions = m.history.map((v) => v.text);
      expect(versions.every((t) => t.length <= 4096)).toBe(true);
      expect(versions.every((t, i) => i === 0 || t !== versions[i - 1])).toBe(true);
    }
    expect(world.tg.calls.filter((c) => !c.ok && c.method !== "getUpdates")).toEqual([]);
  });

  it("answers a sticker or a poll in a bound chat and sends nothing of it; a group with no thread hears nothing", async () => {
    const world = await startBot();
    world.tg.userMessage(aliceDm.id, alice, "/thread receipts");
    await botSays(world, aliceDm.id, undefined, /Created thread/);
    world.tg.userMessage(aliceDm.id, alice, "what does this mean?", { media: "sticker" });
    await botSays(world, aliceDm.id, undefined, /^The agent cannot be given a sticker, so this message was not sent\./);
    world.tg.pushUpdate({
      message: { message_id: 900, date: 0, chat: aliceDm, from: alice, poll: { id: "p1", question: "Lunch?" } },
    });
    await botSays(world, aliceDm.id, undefined, /cannot be given a poll/);
    world.tg.userMessage(group.id, alice, "look at this", { media: "sticker" });
    world.tg.userMessage(aliceDm.id, alice, "the total was 42 euros");
    await world.tg.waitUntil(() => world.gw.requestsOf("chat.send").length === 1 || undefined, { what: "the text" });
    await botSays(world, aliceDm.id, undefined, "ECHO: the total was 42 euros");
    // Only the text went to the agent; the group, bound to nothing, got no answer.
    expect(world.gw.requestsOf("chat.send").map((r) => (r.params as { message: string }).message)).toEqual([
      "the total was 42 euros",
    ]);
    expect(world.tg.botMessages(group.id)).toEqual([]);
    await world.tg.waitUntil(() => Object.keys(world.store.state.journal).length === 0 || undefined, {
      what: "the turn to close",
    });
  });

  it("after a crash mid-turn posts one notice with Resume in the topic; pressing it continues, twice says so", async () => {
    const world = await startBot({ policy: "confirm" });
    const topicId = await openTopic(world, "crashy");
    const notice = await crashMidTurn(world, topicId, "start the long task");
    const button = notice.message.reply_markup!.inline_keyboard[0]![0]!;
    expect(button.text).toBe("Resume");
    expect(notice.message.message_thread_id).toBe(topicId);
    expect(withButtons(world, forum.id, undefined)).toEqual([]);
    world.tg.callbackQuery(alice, notice.message, button.callback_data);
    await world.tg.waitUntil(() => world.gw.requestsOf("chat.send").length === 2 || undefined, { what: "resume" });
    const keys = world.gw.requestsOf("chat.send").map((r) => (r.params as { sessionKey: string }).sessionKey);
    expect(keys[1]).toBe(keys[0]);
    world.tg.callbackQuery(alice, notice.message, button.callback_data);
    await world.tg.waitUntil(() => world.tg.sent("answerCallbackQuery").length === 2 || undefined);
    const second = world.tg.sent("answerCallbackQuery")[1]!;
    expect(String(second.text)).toMatch(/already continued/);
    expect(world.gw.requestsOf("chat.send")).toHaveLength(2);
    expect(withButtons(world, forum.id, topicId).filter((m) => m.history.length === 1)).toHaveLength(1);
  });

  it("resumes with the reply's text when someone replies to the notice", async () => {
    const world = await startBot({ policy: "confirm" });
    const topicId = await openTopic(world, "replied");
    const notice = await crashMidTurn(world, topicId, "count the invoices");
    world.tg.userMessage(forum.id, alice, "skip March", { topicId, replyTo: notice.message.message_id });
    await world.tg.waitUntil(() => world.gw.requestsOf("chat.send").length === 2 || undefined, { what: "resume" });
    const [first, resumed] = world.gw
      .requestsOf("chat.send")
      .map((r) => r.params as { sessionKey: string; message: string });
    expect(resumed?.message).toContain("skip March");
    expect(resumed?.sessionKey).toBe(first?.sessionKey);
  });

  it("loses and duplicates nothing when every third Telegram call gets 429", async () => {
    const world = await startBot();
    world.tg.userMessage(aliceDm.id, alice, "/thread flood");
    await botSays(world, aliceDm.id, undefined, /Created thread/);
    world.tg.failEvery(3, {
      retryAfter: 0,
      methods: ["getUpdates", "sendMessage", "editMessageText", "sendChatAction"],
    });
    const texts = Array.from({ length: 6 }, (_, i) => `question ${i + 1}`);
    for (const text of texts) world.tg.userMessage(aliceDm.id, alice, text);
    const answers = () =>
      world.tg
        .botMessages(aliceDm.id)
        .map((m) => m.message.text)
        .filter((t) => t?.startsWith("ECHO"));
    await world.tg.waitUntil(() => answers().length === 6 || undefined, { timeoutMs: 15_000, what: "six answers" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answers()).toEqual(texts.map((t) => `ECHO: ${t}`));
    const sent = world.gw.requestsOf("chat.send").map((r) => (r.params as { message: string }).message);
    expect(sent).toEqual(texts);
    expect(world.tg.calls.filter((c) => c.error?.code === 429).length).toBeGreaterThan(3);
  });
});
