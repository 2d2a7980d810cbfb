import { describe, expect, it } from "vitest";
import { BotError, ErrorCode } from "../../../src/core/errors.ts";
import { alice, aliceDm, bob, group, otherBot, supergroup, until, useHarness } from "./support/harness.ts";

const h = useHarness();

/** Sends an update and waits until the fake saw the bot confirm it (so "nothing happened" is final). */
async function settle(updateId: number): Promise<void> {
  await h.tg.waitForConfirmed(updateId);
}

describe("Telegram commands", () => {
  it("publishes the command menu generated from app.commands", async () => {
    expect(h.tg.world.myCommands).toEqual(h.app.commands.map((c) => ({ command: c.name, description: c.description })));
  });

  it("routes /thread with its free text as args, in a private chat bound as direct", async () => {
    const message = h.tg.userMessage(aliceDm.id, alice, "/thread budget planning");
    const call = await h.tg.waitForCall("sendMessage");
    expect(h.app.commandCalls).toHaveLength(1);
    const invocation = h.app.commandCalls[0]!;
    expect(invocation).toMatchObject({ name: "thread", text: "budget planning", sender: { id: "telegram:101" } });
    expect(invocation.place).toMatchObject({ conversation: "telegram:101", direct: true });
    expect(invocation.place.openNativeThread).toBeUndefined();
    expect(invocation.place.senderIsSpaceAdmin).toBeUndefined();
    expect(call.params).toMatchObject({ chat_id: aliceDm.id, text: "ran /thread budget planning" });
    expect(call.params.reply_parameters).toMatchObject({ message_id: message.message_id });
    expect(call.params.message_thread_id).toBeUndefined();
  });

  it("accepts /cmd@ourbot and ignores /cmd@otherbot", async () => {
    h.tg.userMessage(group.id, alice, "/thread@other_bot ignored");
    const ours = h.tg.userMessage(group.id, alice, "/THREAD@Keeper_Bot x");
    await h.tg.waitForCall("sendMessage");
    expect(h.app.commandCalls.map((c) => [c.name, c.text])).toEqual([["thread", "x"]]);
    expect(h.tg.sent("sendMessage")).toHaveLength(1);
    expect(h.tg.sent("sendMessage")[0]?.reply_parameters).toMatchObject({ message_id: ours.message_id });
  });

  it("ignores a bare unknown command in a group but passes one addressed to us or in a DM", async () => {
    h.tg.userMessage(group.id, alice, "/weather");
    await settle(h.tg.updates.pending().at(-1)?.update_id ?? 0);
    expect(h.app.commandCalls).toEqual([]);
    h.tg.userMessage(group.id, alice, "/weather@keeper_bot");
    h.tg.userMessage(aliceDm.id, alice, "/weather now");
    await until(() => h.app.commandCalls.length === 2, "two commands");
    expect(h.app.commandCalls.map((c) => [c.name, c.text])).toEqual([
      ["weather", ""],
      ["weather", "now"],
    ]);
  });

  it("shows /help for the /start a Telegram client sends when a person opens the bot", async () => {
    h.tg.userMessage(aliceDm.id, alice, "/start deep-link-payload");
    await until(() => h.app.commandCalls.length === 1, "the command");
    expect(h.app.commandCalls[0]).toMatchObject({ name: "help", text: "" });
  });

  it("ignores messages from bots and channel posts: no app call, no API call", async () => {
    h.tg.userMessage(group.id, otherBot, "/thread x");
    h.tg.userMessage(group.id, otherBot, "hello");
    h.tg.channelPost({ id: -1009001, type: "channel", title: "News" }, "/thread news");
    const marker = h.tg.userMessage(aliceDm.id, alice, "marker");
    await until(() => h.app.messageCalls.length === 1, "marker message");
    expect(h.app.messageCalls[0]?.messageId).toBe(String(marker.message_id));
    expect(h.app.commandCalls).toEqual([]);
    expect(h.tg.calls.filter((c) => c.method !== "getUpdates").map((c) => c.method)).toEqual([
      "getMe",
      "deleteWebhook",
      "setMyCommands",
    ]);
  });

  it("binds a plain group and a supergroup without topics to the chat itself", async () => {
    h.tg.userMessage(group.id, bob, "/thread a");
    h.tg.userMessage(supergroup.id, bob, "/thread b");
    await until(() => h.app.commandCalls.length === 2, "two commands");
    const places = h.app.commandCalls.map((c) => c.place);
    expect(places.map((p) => [p.conversation, p.direct, p.openNativeThread])).toEqual([
      ["telegram:-4001", false, undefined],
      ["telegram:-1003001", false, undefined],
    ]);
  });

  it("asks getChatMember whether the sender administers the chat", async () => {
    h.tg.userMessage(group.id, alice, "/threads");
    h.tg.userMessage(group.id, bob, "/threads");
    await until(() => h.app.commandCalls.length === 2, "two commands");
    const [ofAlice, ofBob] = h.app.commandCalls;
    expect(await ofAlice?.place.senderIsSpaceAdmin?.()).toBe(true);
    expect(await ofBob?.place.senderIsSpaceAdmin?.()).toBe(false);
    expect(h.tg.sent("getChatMember")).toEqual([
      { chat_id: group.id, user_id: alice.id },
      { chat_id: group.id, user_id: bob.id },
    ]);
  });

  it("answers a failing command with a short safe line, never the error's internals", async () => {
    h.app.onCommand = async () => {
      throw new Error(`boom with ${h.tg.token}`);
    };
    h.tg.userMessage(aliceDm.id, alice, "/help");
    const call = await h.tg.waitForCall("sendMessage");
    expect(call.params.text).toMatch(/went wrong/);
    h.app.onCommand = async () => {
      throw new BotError(ErrorCode.BadInput, "That name is too long.");
    };
    h.tg.userMessage(aliceDm.id, alice, "/thread x");
    const second = await h.tg.waitForCall("sendMessage", (p) => p.text === "That name is too long.");
    expect(second).toBeDefined();
    expect(JSON.stringify(h.logger.entries)).not.toContain(h.tg.token);
  });

  it("renders a command's buttons as an inline keyboard", async () => {
    h.app.onCommand = async () => ({
      text: "Threads, page 1",
      buttons: [
        { label: "« Prev", data: "threads:p:0" },
        { label: "Next »", data: "threads:p:2" },
      ],
    });
    h.tg.userMessage(group.id, alice, "/threads");
    const call = await h.tg.waitForCall("sendMessage");
    expect(call.params.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: "« Prev", callback_data: "threads:p:0" },
          { text: "Next »", callback_data: "threads:p:2" },
        ],
      ],
    });
  });

  it("splits a reply longer than a Telegram message, buttons on the last part", async () => {
    const text = Array.from({ length: 300 }, (_, i) => `• thread-${i} — idle, 2 h ago, 3 msg`).join("\n");
    h.app.onCommand = async () => ({ text, buttons: [{ label: "Next ▶", data: "page:1" }] });
    h.tg.userMessage(aliceDm.id, alice, "/threads");
    await h.tg.waitUntil(() => h.tg.botMessages(aliceDm.id).length === 3 || undefined, { what: "three parts" });
    const parts = h.tg.botMessages(aliceDm.id).map((m) => m.message);
    expect(parts.map((m) => m.text?.length ?? 0).every((n) => n <= 4096)).toBe(true);
    expect(parts.map((m) => m.text).join("\n")).toBe(text);
    expect(parts.map((m) => m.reply_markup === undefined)).toEqual([true, true, false]);
  });

  it("in privacy mode gets commands, mentions (without the mention) and replies, or everything as admin", async () => {
    h.tg.world.privacyMode = true;
    const notice = await h.channel.send(`telegram:${group.id}`, { text: "bot says" });
    h.tg.userMessage(group.id, bob, "not for the bot");
    h.tg.userMessage(group.id, bob, "@keeper_bot what now?");
    h.tg.userMessage(group.id, bob, "answering you", { replyTo: Number(notice) });
    h.tg.userMessage(group.id, bob, "/help");
    await until(() => h.app.messageCalls.length === 2 && h.app.commandCalls.length === 1, "three updates");
    expect(h.app.messageCalls.map((m) => m.text)).toEqual(["what now?", "answering you"]);
    h.tg.setMember(group.id, h.tg.bot, "administrator");
    h.tg.userMessage(group.id, bob, "now everything");
    await until(() => h.app.messageCalls.length === 3, "admin bot sees all");
    expect(h.app.messageCalls[2]?.text).toBe("now everything");
  });
});
