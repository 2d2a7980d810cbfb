import { describe, expect, it } from "vitest";
import { splitMessage } from "../../../src/core/turns/split.ts";
import { ids, type StoredMessage } from "../../fakes/fake-discord.ts";
import { type BotWorld, startBot } from "./support/bot-world.ts";
import { slashAnswered } from "./support/harness.ts";

/** A 6,000-character Markdown answer with a code block across the 2000 mark. */
function longAnswer(): string {
  const prose = Array.from({ length: 14 }, (_, i) => `Step ${i}: the agent explains what it did and why, at length.`);
  const code = Array.from({ length: 70 }, (_, i) => `  const value${i} = compute(${i}); // line ${i}`);
  return [...prose, "```ts", ...code, "```", ...prose].join("\n").padEnd(6_000, ".");
}

const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function fromBot(world: BotWorld, channelId: string): StoredMessage[] {
  return world.fake.messagesIn(channelId).filter((m) => m.author.id === ids.bot);
}

async function openThread(world: BotWorld, name: string): Promise<string> {
  await slashAnswered(world.fake, {
    userId: ids.alice,
    channelId: ids.general,
    name: "thread",
    options: { name },
  });
  const thread = [...world.fake.world.channels.values()].find((c) => c.name === name);
  if (!thread) throw new Error("no Discord thread");
  return thread.id;
}

describe("discord turns with the real core", () => {
  it("streams a 6,000-character answer with a code block in parts ≤ 2000, no block split open", async () => {
    const world = await startBot();
    const threadId = await openThread(world, "long-answers");
    const text = longAnswer();
    world.gw.model.next({ text, chunks: 6, deltaIntervalMs: 20 });
    world.fake.userMessage({ userId: ids.alice, channelId: threadId, content: "write it all" });
    const expected = splitMessage(text, 2000);
    await world.fake.waitFor(
      () =>
        fromBot(world, threadId)
          .map((m) => m.content)
          .join("|") === expected.join("|"),
      {
        timeoutMs: 10_000,
        what: "the whole answer",
      },
    );
    for (const message of fromBot(world, threadId)) {
      expect(message.content.length).toBeLessThanOrEqual(2000);
      expect((message.content.match(/^```/gm) ?? []).length % 2).toBe(0);
      // Never an edit that does not change the text.
      const shown = [...message.edits, message.content];
      expect(shown.every((t, i) => i === 0 || t !== shown[i - 1])).toBe(true);
    }
    expect(world.fake.calls.filter((c) => c.status >= 400)).toEqual([]);
  });

  it("answers a message with stickers and sends nothing of it, its text included; the next text goes through", async () => {
    const world = await startBot();
    const threadId = await openThread(world, "receipts");
    world.fake.userMessage({
      userId: ids.alice,
      channelId: threadId,
      content: "what do these mean?",
      stickers: ["thumbs up", "party"],
    });
    world.fake.userMessage({ userId: ids.alice, channelId: threadId, content: "the total was 42 euros" });
    await world.fake.waitFor(() => fromBot(world, threadId).some((m) => m.content === "ECHO: the total was 42 euros"), {
      what: "the answer to the text",
    });
    const said = fromBot(world, threadId).map((m) => m.content);
    expect(said).toContain(
      "The agent cannot be given 2 stickers, so this message was not sent. Send what you want to say as text, or as a photo or file.",
    );
    expect(world.gw.requestsOf("chat.send").map((r) => (r.params as { message: string }).message)).toEqual([
      "the total was 42 euros",
    ]);
  });

  it("resumes after a dropped Discord connection and answers a message sent meanwhile, once", async () => {
    const world = await startBot();
    const threadId = await openThread(world, "reconnects");
    world.fake.gateway.dropConnections();
    // Discord keeps what the session missed and replays it on RESUME.
    world.fake.userMessage({ userId: ids.alice, channelId: threadId, content: "sent while away" });
    await world.fake.waitFor(() => fromBot(world, threadId).some((m) => m.content === "ECHO: sent while away"), {
      timeoutMs: 15_000,
      what: "the answer after the resume",
    });
    expect(world.fake.gateway.resumes.length).toBeGreaterThanOrEqual(1);
    expect(world.fake.gateway.identifies).toHaveLength(1);
    await sleepMs(300);
    expect(fromBot(world, threadId).filter((m) => m.content === "ECHO: sent while away")).toHaveLength(1);
    expect(world.gw.requestsOf("chat.send")).toHaveLength(1);
  });

  it("after a reconnect request and a new session, answers each message once and registers commands once", async () => {
    const world = await startBot();
    const threadId = await openThread(world, "new-sessions");
    const say = async (content: string) => {
      world.fake.userMessage({ userId: ids.alice, channelId: threadId, content });
      await world.fake.waitFor(() => fromBot(world, threadId).some((m) => m.content === `ECHO: ${content}`), {
        timeoutMs: 15_000,
        what: `the answer to ${content}`,
      });
    };
    world.fake.gateway.requestReconnect();
    await world.fake.waitFor(() => world.fake.gateway.resumes.length === 1 && world.fake.gateway.readySessions === 1, {
      what: "the resume after op 7",
    });
    await say("after op 7");
    world.fake.gateway.invalidateSessions();
    // discord.js waits out its identify spacing (up to 5 s) before it identifies again.
    await world.fake.waitFor(
      () => world.fake.gateway.identifies.length === 2 && world.fake.gateway.readySessions === 1,
      { timeoutMs: 15_000, what: "a new session after op 9" },
    );
    await say("after op 9");
    await sleepMs(300);
    const answers = fromBot(world, threadId)
      .map((m) => m.content)
      .filter((t) => t.startsWith("ECHO: after"));
    expect(answers).toEqual(["ECHO: after op 7", "ECHO: after op 9"]);
    expect(world.fake.callsTo("PUT", /\/commands$/)).toHaveLength(1);
  });

  it("after a crash mid-turn posts one notice with Resume in the thread; pressing it continues the session", async () => {
    // confirm: the turn waits for the person (the bot takes OpenClaw's re-run back).
    const world = await startBot({ policy: "confirm" });
    const threadId = await openThread(world, "crashy");
    const gate = world.gw.model.hold();
    world.fake.userMessage({ userId: ids.alice, channelId: threadId, content: "start the long task" });
    await gate.reached;
    await world.gw.crash();
    const notice = await world.fake.waitFor(() => fromBot(world, threadId).find((m) => m.components.length > 0), {
      timeoutMs: 15_000,
      what: "the notice",
    });
    const button = (notice.components[0] as { components: { label: string; custom_id: string }[] }).components[0];
    expect(button?.label).toBe("Resume");
    expect(fromBot(world, ids.general)).toEqual([]);
    const press = world.fake.pressButton({
      userId: ids.alice,
      messageId: notice.id,
      customId: button?.custom_id ?? "",
    });
    await world.fake.waitFor(() => press.original, { what: "button answer" });
    expect(press.original?.flags).toBe(64);
    await world.fake.waitFor(() => world.gw.requestsOf("chat.send").length === 2, { what: "the resumed turn" });
    const keys = world.gw.requestsOf("chat.send").map((r) => (r.params as { sessionKey: string }).sessionKey);
    expect(keys[1]).toBe(keys[0]);
    expect(fromBot(world, threadId).filter((m) => m.components.length > 0 && m.edits.length === 0)).toHaveLength(1);
  });

  it("resumes with the reply's text when someone replies to the notice", async () => {
    const world = await startBot({ policy: "confirm" });
    const threadId = await openThread(world, "replied");
    const gate = world.gw.model.hold();
    world.fake.userMessage({ userId: ids.alice, channelId: threadId, content: "count the invoices" });
    await gate.reached;
    await world.gw.crash();
    const notice = await world.fake.waitFor(() => fromBot(world, threadId).find((m) => m.components.length > 0), {
      timeoutMs: 15_000,
      what: "the notice",
    });
    world.fake.userMessage({ userId: ids.alice, channelId: threadId, content: "skip March", replyTo: notice.id });
    await world.fake.waitFor(() => world.gw.requestsOf("chat.send").length === 2, { what: "the resumed turn" });
    const [first, resumed] = world.gw
      .requestsOf("chat.send")
      .map((r) => r.params as { sessionKey: string; message: string });
    expect(resumed?.message).toContain("skip March");
    expect(resumed?.sessionKey).toBe(first?.sessionKey);
  });
});
