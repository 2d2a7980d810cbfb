/**
 * Issue 13, /stop and /steer, against the real OpenClaw gateway (fake model): chat.abort of a streaming
 * turn closes the model's request and nothing more arrives; chat.send with queueMode "interrupt" ends the
 * running turn and answers the steer with the thread's history. One gateway for the file.
 */
import { describe, expect, it } from "vitest";
import type { GatewayEvent } from "../../src/core/ports.ts";
import { texts as words } from "../../src/core/texts.ts";
import { HOLD_FIRST_CHUNK } from "./harness/fake-model.ts";
import type { InProcessBot } from "./support/in-process-bot.ts";
import { useGatewaySuite } from "./support/suite.ts";
import { sleep, until } from "./support/waits.ts";

type ChatEvent = Extract<GatewayEvent, { type: "chat" }>;

describe("/stop and /steer (real gateway)", () => {
  const suite = useGatewaySuite("thread-controls-run");

  /** A bot with thread `name` bound in console:<name>, recording the chat events it receives. */
  const open = async (name: string) => {
    const bot = await suite.startBot(name, "auto");
    const conversation = `console:${name}`;
    expect((await bot.command(conversation, "thread", name))?.text).toMatch(/Created thread/);
    const events: ChatEvent[] = [];
    bot.client.on((event) => {
      if (event.type === "chat") events.push(event);
    });
    return { bot, conversation, events };
  };
  const shown = (b: InProcessBot, conversation: string) => b.channel.in(conversation).map((m) => m.text);

  /** Sends `HOLD <text>` and waits until the model holds it and its first words are shown. */
  const holdTurn = async (b: InProcessBot, conversation: string, text: string) => {
    const before = suite.model.requests.length;
    await b.say(conversation, `HOLD ${text}`);
    const request = await suite.model.waitForHeld(30_000, before);
    await until("the first words", () => shown(b, conversation).find((t) => t.startsWith(HOLD_FIRST_CHUNK.trim())));
    return request;
  };

  it("/stop during a streaming answer aborts the model's request; nothing more arrives, not even after a gateway crash; the next message is answered", async () => {
    const { bot, conversation, events } = await open("stop-run");
    const held = await holdTurn(bot, conversation, "a long report");
    const runId = Object.keys(bot.store.state.journal)[0];

    const reply = await bot.command(conversation, "stop");
    expect(reply?.text).toBe('Stopped the running turn of "stop-run".');
    // The fake model sees OpenClaw hang up on its streaming response.
    await suite.model.waitForRequest((r) => r === held && r.outcome === "aborted", 15_000);
    expect(shown(bot, conversation)).toEqual([`${HOLD_FIRST_CHUNK.trim()}\n\n${words.stopped}`]);
    expect(bot.store.state.journal).toEqual({});
    await sleep(1_500);
    suite.model.release(); // nothing is held any more: this must change nothing
    await sleep(500);
    expect(shown(bot, conversation)).toEqual([`${HOLD_FIRST_CHUNK.trim()}\n\n${words.stopped}`]);
    const ofRun = events.filter((e) => e.runId === runId);
    expect(ofRun.map((e) => e.state)).toContain("aborted");
    expect(ofRun.filter((e) => e.state === "final")).toEqual([]);

    // The session reads abortedLastRun: true now, yet a gateway crash does not make OpenClaw re-run the
    // stopped turn: no model request follows, and the bot shows nothing more.
    const beforeCrash = suite.model.requests.length;
    await suite.gateway.crash();
    await suite.gateway.start();
    await until("reconnected", () => bot.client.connected, 30_000);
    await sleep(6_000); // OpenClaw starts its recovery runs 2–6 s after boot
    expect(suite.model.requests.slice(beforeCrash).filter((r) => r.kind !== "models")).toEqual([]);
    expect(shown(bot, conversation)).toEqual([`${HOLD_FIRST_CHUNK.trim()}\n\n${words.stopped}`]);

    await bot.say(conversation, "next question");
    await until("the next answer", () => shown(bot, conversation).includes("ECHO: next question"), 30_000);
    await until("the journal empties", () => Object.keys(bot.store.state.journal).length === 0);
    const history = await bot.client.chatHistory({ sessionKey: `agent:main:named:stop-run`, limit: 20 });
    expect(history.session.hasActiveRun ?? false).toBe(false);
  });

  it("/steer reaches the running turn as an interrupt: the model's next request carries the steer and the history", async () => {
    const { bot, conversation, events } = await open("steer-run");
    const held = await holdTurn(bot, conversation, "draft the plan");
    const firstRunId = Object.keys(bot.store.state.journal)[0];

    const reply = await bot.command(conversation, "steer", "make it one page");
    expect(reply?.text).toBe(words.steering("steer-run"));
    await suite.model.waitForRequest((r) => r === held && r.outcome === "aborted", 15_000);
    const steered = await suite.model.waitForRequest((r) => r.userText === "make it one page", 30_000);
    // The steer's turn is answered with the thread's history: the interrupted message is in it.
    expect(steered.messages.some((m) => m.role === "user" && m.text.includes("HOLD draft the plan"))).toBe(true);
    await until("the steered answer", () => shown(bot, conversation).includes("ECHO: make it one page"), 30_000);
    await until("the journal empties", () => Object.keys(bot.store.state.journal).length === 0);
    await sleep(1_000);
    expect(shown(bot, conversation)).toEqual([
      `${HOLD_FIRST_CHUNK.trim()}\n\n${words.redirected}`,
      "ECHO: make it one page",
    ]);
    const first = events.filter((e) => e.runId === firstRunId).map((e) => e.state);
    expect(first).toContain("aborted");
    expect(first).not.toContain("final");
    // A bot restart on the same store sends nothing again and shows nothing again.
    const beforeRestart = suite.model.requests.length;
    await suite.stopBot();
    const again = await suite.startBot("steer-run", "auto");
    await sleep(2_000);
    expect(suite.model.requests.length).toBe(beforeRestart);
    expect(again.channel.in(conversation)).toEqual([]);
    expect(again.store.state.journal).toEqual({});
  });

  it("chat.send queueMode interrupt: the ack says interruptedActiveRun only when a turn ran; the cut turn's words leave no row", async () => {
    const { bot } = await open("interrupt-ack");
    const key = (await bot.client.createSession({ key: "agent:main:named:raw-interrupt" })).key;
    const idle = await bot.client.chatInterrupt({ sessionKey: key, message: "first", idempotencyKey: "ack-idle" });
    expect(idle).toEqual({ runId: "ack-idle", status: "started", interruptedActiveRun: false });
    const rows = async () => (await bot.client.chatHistory({ sessionKey: key, limit: 20 })).messages;
    const answered = async (text: string) => {
      for (let i = 0; i < 150 && !(await rows()).some((m) => m.text === text); i++) await sleep(100);
    };
    await answered("ECHO: first");
    await bot.client.chatSend({ sessionKey: key, message: "HOLD raw", idempotencyKey: "ack-held" });
    await suite.model.waitForRequest((r) => r.userText === "HOLD raw" && r.outcome === "held", 30_000);
    const busy = await bot.client.chatInterrupt({ sessionKey: key, message: "instead", idempotencyKey: "ack-busy" });
    expect(busy).toEqual({ runId: "ack-busy", status: "started", interruptedActiveRun: true });
    await suite.model.waitForRequest((r) => r.userText === "instead", 30_000);
    await answered("ECHO: instead");
    // The interrupted turn's streamed words are not kept in the transcript (a chat.abort keeps them).
    expect((await rows()).map((m) => `${m.role}: ${m.text}`)).toEqual([
      "user: first",
      "assistant: ECHO: first",
      "user: HOLD raw",
      "user: instead",
      "assistant: ECHO: instead",
    ]);
  });
});
