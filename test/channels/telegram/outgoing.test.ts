import { describe, expect, it } from "vitest";
import { isBotError } from "../../../src/core/errors.ts";
import { silentLogger } from "../../../src/core/log.ts";
import { ReplyStream } from "../../../src/core/turns/reply-stream.ts";
import { alice, aliceDm, group, useHarness } from "./support/harness.ts";

const h = useHarness();

const dm = `telegram:${aliceDm.id}`;

/** A long answer of plain words and paragraphs, so its Markdown renders as itself. */
function longAnswer(length: number): string {
  const words: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const word = i % 97 === 96 ? `w${i}\n\n` : i % 13 === 12 ? `w${i}\n` : `w${i} `;
    words.push(word);
    size += word.length;
  }
  return words.join("").slice(0, length).trim();
}

describe("Telegram outgoing messages", () => {
  it("renders Markdown as Telegram HTML", async () => {
    const id = await h.channel.send(dm, {
      text: "**Budget** is _tight_: `x < y` & [docs](https://e.x)",
      format: "markdown",
    });
    const call = h.tg.sent("sendMessage")[0]!;
    expect(call.parse_mode).toBe("HTML");
    expect(call.text).toBe('<b>Budget</b> is <i>tight</i>: <code>x &lt; y</code> &amp; <a href="https://e.x">docs</a>');
    const stored = h.tg.world.chat(aliceDm.id).messages.get(Number(id))!.message;
    expect(stored.text).toBe("Budget is tight: x < y & docs");
    expect(stored.entities?.map((e) => e.type)).toEqual(["bold", "italic", "code", "text_link"]);
  });

  it("sends the bot's own text as plain text", async () => {
    await h.channel.send(dm, { text: "<not html> **not bold**", format: "plain" });
    expect(h.tg.sent("sendMessage")[0]).not.toHaveProperty("parse_mode");
    expect(h.tg.botMessages(aliceDm.id)[0]?.message.text).toBe("<not html> **not bold**");
  });

  it("falls back to plain text when Telegram rejects the markup, on send and on edit", async () => {
    const cantParse = {
      code: 400,
      description: "Bad Request: can't parse entities: Unsupported start tag at byte offset 3",
    };
    h.tg.faults.push({ method: "sendMessage", ...cantParse }, { method: "editMessageText", ...cantParse });
    const id = await h.channel.send(dm, { text: "**a**", format: "markdown" });
    await h.channel.edit(dm, id, { text: "**b**", format: "markdown" });
    const stored = h.tg.botMessages(aliceDm.id)[0]!;
    expect(stored.history.map((v) => v.text)).toEqual(["**a**", "**b**"]);
    expect(h.logger.entries.filter((e) => e.message.includes("markup rejected"))).toHaveLength(2);
  });

  it("edits carry the message's buttons; an edit without buttons removes them", async () => {
    const buttons = [{ label: "Resume", data: "resume:turn-1" }];
    const id = await h.channel.send(dm, { text: "Interrupted", buttons });
    await h.channel.edit(dm, id, { text: "Interrupted (2)", buttons });
    await h.channel.edit(dm, id, { text: "Resumed" });
    const versions = h.tg.botMessages(aliceDm.id)[0]!.history;
    expect(versions.map((v) => v.reply_markup?.inline_keyboard[0]?.[0]?.callback_data)).toEqual([
      "resume:turn-1",
      "resume:turn-1",
      undefined,
    ]);
  });

  it("swallows 'message is not modified'", async () => {
    const id = await h.channel.send(dm, { text: "same", format: "markdown" });
    await h.channel.edit(dm, id, { text: "same", format: "markdown" });
    const failed = h.tg.calls.filter((c) => c.method === "editMessageText" && !c.ok);
    expect(failed.map((c) => c.error?.description)).toEqual([expect.stringMatching(/message is not modified/)]);
  });

  it("refuses button data over Telegram's 64 bytes before calling Telegram", async () => {
    const error = await h.channel
      .send(dm, { text: "x", buttons: [{ label: "b", data: "é".repeat(33) }] })
      .catch((e) => e);
    expect(isBotError(error)).toBe(true);
    expect(h.tg.sent("sendMessage")).toEqual([]);
  });

  it("turns Telegram refusals into PLATFORM errors without the token", async () => {
    const error = await h.channel.send("telegram:424242", { text: "x" }).catch((e) => e);
    expect(isBotError(error, "PLATFORM")).toBe(true);
    expect(String(error.message)).toContain("chat not found");
    expect(String(error.message)).not.toContain(h.tg.token);
  });

  it("follows a group that became a supergroup: the call goes there, the core is told once, edits follow", async () => {
    const chat = `telegram:${group.id}`;
    const supergroupId = -1004242;
    // The bot never saw the service messages: it learns of the upgrade from Telegram's refusal.
    h.tg.migrateChat(group.id, alice, { newId: supergroupId, announce: false });
    const id = await h.channel.send(chat, { text: "first", format: "plain" });
    await h.channel.edit(chat, id, { text: "first, edited", format: "plain" });
    await h.channel.typing(chat);
    await h.channel.send(chat, { text: "second", format: "plain" });
    expect(h.tg.botMessages(supergroupId).map((m) => m.message.text)).toEqual(["first, edited", "second"]);
    expect(h.app.moves).toEqual([{ from: chat, to: `telegram:${supergroupId}` }]);
    // One refused call, then straight to the supergroup.
    expect(h.tg.calls.filter((c) => !c.ok && c.method !== "getUpdates").map((c) => c.method)).toEqual(["sendMessage"]);
  });

  it("shows typing", async () => {
    await h.channel.typing(dm);
    expect(h.tg.sent("sendChatAction")).toEqual([{ chat_id: aliceDm.id, action: "typing" }]);
  });

  it("streams a 10,000-character answer as edits plus continuation messages, none over 4096, text intact", async () => {
    const answer = longAnswer(10_000);
    const stream = new ReplyStream({ channel: h.channel, conversation: dm, clock: Date, logger: silentLogger });
    stream.startTyping();
    stream.update(answer.slice(0, 3000));
    await new Promise((resolve) => setTimeout(resolve, 50));
    stream.update(answer.slice(0, 6000));
    await stream.finish(answer);
    const messages = h.tg.botMessages(aliceDm.id);
    expect(messages.length).toBe(3);
    for (const m of messages) {
      for (const v of m.history) expect(v.text.length).toBeLessThanOrEqual(4096);
    }
    const shown = messages.map((m) => m.message.text ?? "").join(" ");
    expect(shown.replace(/\s+/g, " ")).toBe(answer.replace(/\s+/g, " "));
    expect(messages[0]!.history.length).toBeGreaterThan(1);
    expect(h.tg.calls.filter((c) => !c.ok && c.method !== "getUpdates")).toEqual([]);
  });
});
