import { describe, expect, it } from "vitest";
import { BotError, ErrorCode } from "../../../src/core/errors.ts";
import { alice, aliceDm, bob, forum, useHarness } from "./support/harness.ts";

const h = useHarness();

/** Posts a bot message with one button and returns it as stored by the fake. */
async function messageWithButton(conversation: string, chatId: number, data: string) {
  const id = await h.channel.send(conversation, { text: "Interrupted. Resume?", buttons: [{ label: "Resume", data }] });
  return h.tg.world.chat(chatId).messages.get(Number(id))!.message;
}

describe("Telegram buttons", () => {
  it("hands the press to the app with the message's place and answers with its reply", async () => {
    const topic = h.tg.createTopic(forum.id, "budget", alice);
    const key = `telegram:${forum.id}:topic:${topic.id}`;
    const message = await messageWithButton(key, forum.id, "resume:turn-1");
    h.app.onAction = async () => ({ text: "Resuming budget…" });
    const id = h.tg.callbackQuery(bob, message, "resume:turn-1");
    const answer = await h.tg.waitForCall("answerCallbackQuery");
    expect(answer.params).toEqual({ callback_query_id: id, text: "Resuming budget…", show_alert: false });
    expect(h.app.actionCalls[0]).toMatchObject({
      data: "resume:turn-1",
      messageId: String(message.message_id),
      sender: { id: "telegram:102" },
      place: { conversation: key, direct: false },
    });
  });

  it("answers garbage data with the app's answer", async () => {
    const message = await messageWithButton(`telegram:${aliceDm.id}`, aliceDm.id, "x");
    h.app.onAction = async (invocation) => ({ text: `Unknown button (${invocation.data.length} chars).` });
    h.tg.callbackQuery(alice, message, "\u0000garbage\u{1F4A9}");
    h.tg.callbackQuery(alice, message, undefined);
    await h.tg.waitUntil(() => h.tg.sent("answerCallbackQuery").length === 2 || undefined);
    expect(h.tg.sent("answerCallbackQuery").map((p) => p.text)).toEqual([
      "Unknown button (10 chars).",
      "Unknown button (0 chars).",
    ]);
  });

  it("answers even when the app fails, with a short safe line", async () => {
    const message = await messageWithButton(`telegram:${aliceDm.id}`, aliceDm.id, "x");
    h.app.onAction = async () => {
      throw new BotError(ErrorCode.NotFound, "That button belongs to an old message.");
    };
    h.tg.callbackQuery(alice, message, "x");
    const first = await h.tg.waitForCall("answerCallbackQuery");
    expect(first.params.text).toBe("That button belongs to an old message.");
    h.app.onAction = async () => {
      throw new TypeError("internal detail");
    };
    h.tg.callbackQuery(alice, message, "x");
    const second = await h.tg.waitForCall("answerCallbackQuery", (p) => p !== first.params);
    expect(second.params.text).toMatch(/went wrong/);
  });

  it("posts an answer too long for a toast as a message", async () => {
    const message = await messageWithButton(`telegram:${aliceDm.id}`, aliceDm.id, "x");
    h.app.onAction = async () => ({ text: "🙂".repeat(150) });
    h.tg.callbackQuery(alice, message, "x");
    const answer = await h.tg.waitForCall("answerCallbackQuery");
    expect(answer.params.text).toBeUndefined();
    const posted = h.tg.botMessages(aliceDm.id).at(-1)!.message;
    expect(posted.text).toBe("🙂".repeat(150));
    expect(posted.reply_to_message?.message_id).toBe(message.message_id);
  });

  it("turns the page: a reply with buttons replaces the message whose button was pressed", async () => {
    const message = await messageWithButton(`telegram:${aliceDm.id}`, aliceDm.id, "page:1");
    h.app.onAction = async () => ({ text: "Threads, page 2", buttons: [{ label: "◀ Previous", data: "page:0" }] });
    h.tg.callbackQuery(alice, message, "page:1");
    await h.tg.waitForCall("answerCallbackQuery");
    const stored = h.tg.botMessages(aliceDm.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.message.text).toBe("Threads, page 2");
    expect(stored[0]!.message.reply_markup?.inline_keyboard[0]?.[0]?.callback_data).toBe("page:0");
  });
});
