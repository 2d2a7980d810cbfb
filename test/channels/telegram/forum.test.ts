import { describe, expect, it } from "vitest";
import type { CommandInvocation } from "../../../src/core/app-port.ts";
import { telegramKey } from "../../../src/core/keys/conversation-key.ts";
import { alice, bob, forum, until, useHarness } from "./support/harness.ts";

const h = useHarness();

/** Scripts the core: /thread opens a native topic through the Place and says where. */
function openTopicOnThread(existing?: () => string | undefined): string[] {
  const opened: string[] = [];
  h.app.onCommand = async (invocation: CommandInvocation) => {
    const open = invocation.place.openNativeThread;
    if (!open) return { text: "bound here" };
    const name = invocation.text ?? "";
    const key = await open({ name, slug: name, existing: existing?.() });
    opened.push(key);
    return { text: `opened ${key}` };
  };
  return opened;
}

describe("Telegram forum topics", () => {
  it("creates a topic named after the thread from General and answers in General", async () => {
    const opened = openTopicOnThread();
    h.tg.userMessage(forum.id, alice, "/thread budget-planning");
    const reply = await h.tg.waitForCall("sendMessage");
    const [topic] = h.tg.topics(forum.id);
    expect(topic?.name).toBe("budget-planning");
    expect(opened).toEqual([telegramKey.encode(String(forum.id), String(topic?.id))]);
    expect(h.app.commandCalls[0]?.place.conversation).toBe(`telegram:${forum.id}`);
    expect(reply.params.message_thread_id).toBeUndefined();
  });

  it("cuts a long topic name to Telegram's 128 units without splitting an emoji", async () => {
    openTopicOnThread();
    // 1 + 2 × 99 units: a plain cut at 128 would end on the first half of an emoji.
    const name = `a${"🙂".repeat(99)}`;
    h.tg.userMessage(forum.id, alice, `/thread ${name}`);
    await h.tg.waitForCall("sendMessage");
    expect(h.tg.topics(forum.id)[0]?.name).toBe(`a${"🙂".repeat(63)}`);
  });

  it("reopens the topic it made before instead of creating another", async () => {
    const existing = h.tg.createTopic(forum.id, "budget-planning", h.tg.bot);
    h.tg.world.chat(forum.id).topics.get(existing.id)!.closed = true;
    const key = telegramKey.encode(String(forum.id), String(existing.id));
    const opened = openTopicOnThread(() => key);
    h.tg.userMessage(forum.id, alice, "/thread budget-planning");
    await h.tg.waitForCall("sendMessage");
    expect(opened).toEqual([key]);
    expect(h.tg.sent("reopenForumTopic")).toEqual([{ chat_id: forum.id, message_thread_id: existing.id }]);
    expect(h.tg.sent("createForumTopic")).toEqual([]);
    expect(h.tg.topic(forum.id, existing.id)?.closed).toBe(false);
  });

  it("keeps a topic that is already open (TOPIC_NOT_MODIFIED is success)", async () => {
    const existing = h.tg.createTopic(forum.id, "ops", h.tg.bot);
    const key = telegramKey.encode(String(forum.id), String(existing.id));
    const opened = openTopicOnThread(() => key);
    h.tg.userMessage(forum.id, alice, "/thread ops");
    await h.tg.waitForCall("sendMessage");
    expect(opened).toEqual([key]);
    expect(h.tg.topics(forum.id)).toHaveLength(1);
  });

  it("creates a new topic when the remembered one was deleted", async () => {
    const gone = h.tg.createTopic(forum.id, "ops", h.tg.bot);
    h.tg.world.chat(forum.id).topics.get(gone.id)!.deleted = true;
    const opened = openTopicOnThread(() => telegramKey.encode(String(forum.id), String(gone.id)));
    h.tg.userMessage(forum.id, alice, "/thread ops");
    await h.tg.waitForCall("sendMessage");
    const fresh = h.tg.topics(forum.id).find((t) => !t.deleted);
    expect(opened).toEqual([telegramKey.encode(String(forum.id), String(fresh?.id))]);
    expect(h.tg.calls.filter((c) => c.method === "reopenForumTopic").map((c) => c.error?.description)).toEqual([
      "Bad Request: TOPIC_ID_INVALID",
    ]);
  });

  it("says which admin right it lacks when it may not create topics", async () => {
    h.tg.addChat({ ...forum, id: -1002002 }, { botCanManageTopics: false });
    openTopicOnThread();
    h.app.onCommand = async (invocation) => {
      await invocation.place.openNativeThread?.({ name: "x", slug: "x" });
      return { text: "unreachable" };
    };
    h.tg.userMessage(-1002002, alice, "/thread x");
    const reply = await h.tg.waitForCall("sendMessage");
    expect(reply.params.text).toMatch(/Manage Topics/);
  });

  it("binds a topic to its own key and answers, types and posts inside it", async () => {
    const topic = h.tg.createTopic(forum.id, "budget", alice);
    h.app.onMessage = async () => ({ text: "queued" });
    h.tg.userMessage(forum.id, bob, "/thread budget", { topicId: topic.id });
    h.tg.userMessage(forum.id, bob, "how much is left?", { topicId: topic.id });
    await until(() => h.tg.sent("sendMessage").length === 2, "two replies");
    const key = `telegram:${forum.id}:topic:${topic.id}`;
    expect(h.app.commandCalls[0]?.place).toMatchObject({ conversation: key, direct: false });
    expect(h.app.commandCalls[0]?.place.openNativeThread).toBeUndefined();
    expect(h.app.messageCalls[0]).toMatchObject({ text: "how much is left?", place: { conversation: key } });
    // The topic's creation message is what Telegram calls reply_to_message here: not a reply.
    expect(h.app.messageCalls[0]?.replyToMessageId).toBeUndefined();
    expect(h.tg.sent("sendMessage").map((p) => p.message_thread_id)).toEqual([topic.id, topic.id]);
    await h.channel.typing(key);
    const id = await h.channel.send(key, { text: "notice" });
    expect(h.tg.sent("sendChatAction").at(-1)).toMatchObject({ chat_id: forum.id, message_thread_id: topic.id });
    expect(h.tg.botMessages(forum.id, topic.id).map((m) => m.message.text)).toContain("notice");
    expect(h.tg.world.chat(forum.id).messages.get(Number(id))?.message.message_thread_id).toBe(topic.id);
  });

  it("sends to General (topic 1) without message_thread_id", async () => {
    await h.channel.send(telegramKey.encode(String(forum.id), "1"), { text: "to general" });
    await h.channel.typing(telegramKey.encode(String(forum.id)));
    expect(h.tg.sent("sendMessage")[0]).not.toHaveProperty("message_thread_id");
    expect(h.tg.sent("sendChatAction")[0]).not.toHaveProperty("message_thread_id");
    h.tg.pushUpdate({
      message: {
        message_id: 9999,
        date: 1,
        chat: forum,
        from: alice,
        text: "in general",
        message_thread_id: 1,
        is_topic_message: true,
      },
    });
    await until(() => h.app.messageCalls.length === 1, "general message");
    expect(h.app.messageCalls[0]?.place.conversation).toBe(`telegram:${forum.id}`);
    expect(h.app.messageCalls[0]?.place.openNativeThread).toBeTypeOf("function");
  });

  it("passes replyToMessageId for a reply to one of the bot's messages (a restart notice)", async () => {
    const topic = h.tg.createTopic(forum.id, "budget", alice);
    const key = `telegram:${forum.id}:topic:${topic.id}`;
    const noticeId = await h.channel.send(key, {
      text: "Interrupted. Resume?",
      buttons: [{ label: "Resume", data: "r:1" }],
    });
    const human = h.tg.userMessage(forum.id, bob, "just a message", { topicId: topic.id });
    h.tg.userMessage(forum.id, alice, "reply to bob", { topicId: topic.id, replyTo: human.message_id });
    h.tg.userMessage(forum.id, alice, "go on, but skip step 3", { topicId: topic.id, replyTo: Number(noticeId) });
    await until(() => h.app.messageCalls.length === 3, "three messages");
    expect(h.app.messageCalls.map((m) => m.replyToMessageId)).toEqual([undefined, undefined, noticeId]);
  });
});
