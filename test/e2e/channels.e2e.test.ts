/**
 * Issues 5 and 6 against the real OpenClaw gateway: the real grammY and discord.js channels (over HTTP and
 * WebSocket to our fake Telegram and fake Discord), the real core and store, and the real gateway with the fake
 * model. One gateway for the file; the restart test crashes it once for both platforms.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ResumePolicy } from "../../src/core/model.ts";
import { namedKey, startE2eGateway } from "./harness/e2e-context.ts";
import { type FakeModel, type ModelRequest, startFakeModel } from "./harness/fake-model.ts";
import type { Gateway } from "./harness/gateway.ts";
import {
  alice,
  aliceDm,
  type ChannelsBot,
  discordBotMessages,
  discordSays,
  forum,
  ids,
  openDiscordThread,
  openTelegramTopic,
  startChannelsBot,
  telegramSays,
} from "./support/channels/channels-bot.ts";
import { sleep, until } from "./support/waits.ts";

interface Row {
  key: string;
  sessionId?: string;
  label?: string;
  parentSessionKey?: string;
  spawnDepth?: number;
}

interface DiscordButton {
  label: string;
  custom_id: string;
}

const EPHEMERAL = 64;
const NOTICE = /restart interrupted/;

describe("telegram and discord channels against the real gateway", () => {
  let model: FakeModel;
  let gateway: Gateway;
  let dir: string;
  let world: ChannelsBot | undefined;

  beforeAll(async () => {
    model = await startFakeModel();
    gateway = await startE2eGateway(model, "channels");
    dir = mkdtempSync(join(tmpdir(), "tk-channels-"));
  });

  afterEach(async () => {
    const w = world;
    world = undefined;
    if (!w) return;
    await w.stop();
    expect(w.tg.unimplemented).toEqual([]);
    expect(w.dc.misses).toEqual([]);
    expect([...w.tg.world.callbackQueries.values()].every((q) => q.answered)).toBe(true);
    // The adapters had nothing to complain about (the core may warn about the crash the restart test causes).
    const complaints = w.logger.entries.filter(
      (e) => /warn|error/.test(e.level) && /^(telegram|discord):/.test(e.message),
    );
    expect(complaints).toEqual([]);
    const logged = JSON.stringify(w.logger.entries);
    for (const secret of [w.tg.token, w.dc.token, gateway.token]) expect(logged).not.toContain(secret);
    expect(model.unexpected()).toEqual([]);
  });

  afterAll(async () => {
    await world?.stop();
    await gateway?.cleanup();
    await model?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = async (name: string, policy: ResumePolicy = "auto") => {
    world = await startChannelsBot({ gateway, storePath: join(dir, `${name}.json`), policy });
    return world;
  };
  const rows = async (params: Record<string, unknown>): Promise<Row[]> => {
    const client = await gateway.connect();
    try {
      return (await client.request<{ sessions: Row[] }>("sessions.list", params)).sessions;
    } finally {
      await client.close();
    }
  };
  const rowOf = async (key: string): Promise<Row> => {
    const row = (await rows({ search: key.split(":").at(-1) })).find((r) => r.key === key);
    if (!row) throw new Error(`no session row ${key}`);
    return row;
  };
  /** The model request of the turn whose person's text is `text` (arrived after request `since`). */
  const turnRequest = (text: string, since = 0) =>
    model.waitForRequest((r) => r.seq > since && r.kind === "turn" && r.userText === text, 60_000);
  const seen = (request: ModelRequest) => request.messages.map((m) => m.text).join("\n");

  it("telegram: /thread in a forum's General opens a topic and answers there; a DM re-attaches the same session", async () => {
    const w = await open("telegram");
    const topicId = await openTelegramTopic(w, "budget-planning");
    const sessionKey = namedKey("budget-planning");
    expect(w.store.state.threads["budget-planning"]?.sessionKey).toBe(sessionKey);
    expect(w.store.state.bindings[`telegram:${forum.id}:topic:${topicId}`]?.slug).toBe("budget-planning");
    expect(w.store.state.bindings[`telegram:${forum.id}`]).toBeUndefined();
    const created = await rowOf(sessionKey);
    expect(created.label).toBe("budget-planning");

    w.tg.userMessage(forum.id, alice, "hello from the topic", { topicId });
    const answer = await telegramSays(w, forum.id, topicId, "ECHO: hello from the topic");
    expect(answer.message.message_thread_id).toBe(topicId);
    expect(w.tg.sent("sendChatAction").some((p) => p.message_thread_id === topicId)).toBe(true);
    // General got the /thread reply only.
    expect(w.tg.botMessages(forum.id, undefined).map((m) => m.message.text)).toEqual([
      expect.stringMatching(/Created thread "budget-planning"/),
    ]);

    w.tg.userMessage(aliceDm.id, alice, "/thread budget-planning");
    await telegramSays(w, aliceDm.id, undefined, /Attached thread "budget-planning"/);
    expect(w.store.state.bindings[`telegram:${aliceDm.id}`]?.slug).toBe("budget-planning");
    const since = model.requests.length;
    w.tg.userMessage(aliceDm.id, alice, "and from the DM");
    await telegramSays(w, aliceDm.id, undefined, "ECHO: and from the DM");
    // The same OpenClaw session: the DM's turn carries the topic's earlier exchange.
    const turn = await turnRequest("and from the DM", since);
    expect(seen(turn)).toContain("hello from the topic");
    expect(seen(turn)).toContain("ECHO: hello from the topic");
    // The answer went back only where the message came from.
    expect(w.tg.botMessages(forum.id, "any").map((m) => m.message.text)).not.toContain("ECHO: and from the DM");
    const after = await rowOf(sessionKey);
    expect(after.sessionId).toBe(created.sessionId);
    expect((await rows({ label: "budget-planning" })).map((r) => r.key)).toEqual([sessionKey]);
  });

  it("discord: /thread name: opens a Discord thread and answers there; a DM and Telegram reach the same session", async () => {
    const w = await open("discord");
    const { threadId, reply } = await openDiscordThread(w, "launch-plan");
    expect(reply).toMatch(/Created thread "launch-plan"/);
    const sessionKey = namedKey("launch-plan");
    expect(w.store.state.threads["launch-plan"]?.sessionKey).toBe(sessionKey);
    expect(w.store.state.bindings[`discord:${ids.guild}:${threadId}`]?.slug).toBe("launch-plan");
    expect(w.store.state.bindings[`discord:${ids.guild}:${ids.general}`]).toBeUndefined();
    const created = await rowOf(sessionKey);

    w.dc.userMessage({ userId: ids.alice, channelId: threadId, content: "hello from the discord thread" });
    await discordSays(w, threadId, "ECHO: hello from the discord thread");
    expect(discordBotMessages(w, ids.general)).toEqual([]);

    const dm = w.dc.slash({
      userId: ids.alice,
      dm: true,
      name: "thread",
      subcommand: "open",
      options: { name: "launch-plan" },
    });
    const dmReply = await w.dc.waitFor(() => !dm.pendingDefer && dm.original?.content, {
      timeoutMs: 30_000,
      what: "the DM's /thread reply",
    });
    expect(dmReply).toMatch(/Attached thread "launch-plan"/);
    expect(w.store.state.bindings[`discord:dm:${ids.alice}`]?.slug).toBe("launch-plan");
    let since = model.requests.length;
    w.dc.userMessage({ userId: ids.alice, dm: true, content: "and from the discord DM" });
    const dmChannel = w.dc.dmChannelId(ids.alice);
    await discordSays(w, dmChannel, "ECHO: and from the discord DM");
    const dmTurn = await turnRequest("and from the discord DM", since);
    expect(seen(dmTurn)).toContain("ECHO: hello from the discord thread");

    // The same name typed in Telegram reaches the same session too.
    w.tg.userMessage(aliceDm.id, alice, "/thread launch-plan");
    await telegramSays(w, aliceDm.id, undefined, /Attached thread "launch-plan"/);
    since = model.requests.length;
    w.tg.userMessage(aliceDm.id, alice, "and from telegram");
    await telegramSays(w, aliceDm.id, undefined, "ECHO: and from telegram");
    const tgTurn = await turnRequest("and from telegram", since);
    expect(seen(tgTurn)).toContain("ECHO: hello from the discord thread");
    expect(seen(tgTurn)).toContain("ECHO: and from the discord DM");

    // Each answer went back only where its message came from.
    const echoes = (channelId: string) =>
      discordBotMessages(w, channelId)
        .map((m) => m.content)
        .filter((t) => t.startsWith("ECHO"));
    expect(echoes(threadId)).toEqual(["ECHO: hello from the discord thread"]);
    expect(echoes(dmChannel)).toEqual(["ECHO: and from the discord DM"]);
    expect((await rows({ label: "launch-plan" })).map((r) => r.key)).toEqual([sessionKey]);
    expect((await rowOf(sessionKey)).sessionId).toBe(created.sessionId);
  });

  it("confirm: a gateway crash mid-turn on each platform posts one Resume notice in place; Resume continues the session once", async () => {
    const w = await open("restart", "confirm");
    const topicId = await openTelegramTopic(w, "tg-crash");
    const { threadId } = await openDiscordThread(w, "dc-crash");
    const tgKey = namedKey("tg-crash");
    const dcKey = namedKey("dc-crash");
    // One finished turn each, so a continuation can be seen to carry its own session's history.
    w.tg.userMessage(forum.id, alice, "tg first turn", { topicId });
    w.dc.userMessage({ userId: ids.alice, channelId: threadId, content: "dc first turn" });
    await telegramSays(w, forum.id, topicId, "ECHO: tg first turn");
    await discordSays(w, threadId, "ECHO: dc first turn");
    const before = { tg: await rowOf(tgKey), dc: await rowOf(dcKey) };
    // confirm keeps ordinary sessions: OpenClaw re-runs their turns, and the bot takes that re-run back.
    expect(before.tg.spawnDepth ?? 0).toBe(0);

    w.tg.userMessage(forum.id, alice, "HOLD tg plan the budget", { topicId });
    w.dc.userMessage({ userId: ids.alice, channelId: threadId, content: "HOLD dc plan the launch" });
    await model.waitForHeld(60_000);
    await until("both turns held by the model", () => model.heldCount === 2, 60_000);
    await sleep(500);
    const sinceCrash = model.requests.length;
    await gateway.crash();
    await gateway.start();

    const tgNotice = await telegramSays(w, forum.id, topicId, NOTICE);
    const dcNotice = await discordSays(w, threadId, NOTICE);
    expect(tgNotice.message.message_thread_id).toBe(topicId);
    expect(tgNotice.message.text).toContain("Task: HOLD tg plan the budget");
    expect(dcNotice.content).toContain("Task: HOLD dc plan the launch");
    const tgButtons = tgNotice.message.reply_markup?.inline_keyboard.flat() ?? [];
    expect(tgButtons.map((b) => b.text)).toEqual(["Resume"]);
    const dcButtons = (dcNotice.components as { components: DiscordButton[] }[]).flatMap((row) => row.components);
    expect(dcButtons.map((b) => b.label)).toEqual(["Resume"]);
    // Nothing continued the turns on its own (the bot took OpenClaw's re-runs back as they were admitted).
    expect(model.requests.slice(sinceCrash).filter((r) => r.kind === "turn" || r.kind === "recovery")).toEqual([]);

    // Telegram: Resume continues the topic's session, the answer comes back in the topic.
    const tgData = tgButtons[0]?.callback_data ?? "";
    const tgPress = w.tg.callbackQuery(alice, tgNotice.message, tgData);
    const tgToast = await w.tg.waitForCall("answerCallbackQuery", (p) => p.callback_query_id === tgPress);
    expect(String(tgToast.params.text)).toMatch(/Resuming "tg-crash"/);
    const tgContinuation = await model.waitForRequest(
      (r) => r.seq > sinceCrash && r.kind === "turn" && (r.userText ?? "").includes("HOLD tg plan the budget"),
      60_000,
    );
    expect(tgContinuation.userText).toContain("interrupted by a restart");
    expect(seen(tgContinuation)).toContain("ECHO: tg first turn");
    expect(seen(tgContinuation)).not.toContain("dc first turn");
    await telegramSays(w, forum.id, topicId, /^ECHO: Your previous turn/);

    // Discord: the same with the button in the Discord thread (answered ephemerally).
    const dcId = dcButtons[0]?.custom_id ?? "";
    const dcPress = w.dc.pressButton({ userId: ids.alice, messageId: dcNotice.id, customId: dcId });
    const dcReply = await w.dc.waitFor(() => !dcPress.pendingDefer && dcPress.original?.content, {
      timeoutMs: 30_000,
      what: "the Resume button's answer",
    });
    expect(dcReply).toMatch(/Resuming "dc-crash"/);
    expect(dcPress.original?.flags).toBe(EPHEMERAL);
    const dcContinuation = await model.waitForRequest(
      (r) => r.seq > sinceCrash && r.kind === "turn" && (r.userText ?? "").includes("HOLD dc plan the launch"),
      60_000,
    );
    expect(dcContinuation.userText).toContain("interrupted by a restart");
    expect(seen(dcContinuation)).toContain("ECHO: dc first turn");
    expect(seen(dcContinuation)).not.toContain("tg first turn");
    await discordSays(w, threadId, /^ECHO: Your previous turn/);

    // The same sessions, not new ones.
    expect((await rowOf(tgKey)).sessionId).toBe(before.tg.sessionId);
    expect((await rowOf(dcKey)).sessionId).toBe(before.dc.sessionId);

    // Pressing again says so briefly and sends nothing to the model.
    const requests = model.requests.length;
    const tgAgain = w.tg.callbackQuery(alice, tgNotice.message, tgData);
    const tgAgainToast = await w.tg.waitForCall("answerCallbackQuery", (p) => p.callback_query_id === tgAgain);
    expect(String(tgAgainToast.params.text)).toMatch(/already continued/);
    const dcAgain = w.dc.pressButton({ userId: ids.alice, messageId: dcNotice.id, customId: dcId });
    const dcAgainReply = await w.dc.waitFor(() => !dcAgain.pendingDefer && dcAgain.original?.content, {
      timeoutMs: 30_000,
      what: "the second press's answer",
    });
    expect(dcAgainReply).toMatch(/already continued/);
    expect(dcAgain.original?.flags).toBe(EPHEMERAL);
    await sleep(1_000);
    expect(model.requests.length).toBe(requests);

    // Exactly one notice on each platform, each where its turn started.
    const tgNotices = w.tg.botMessages(forum.id, "any").filter((m) => NOTICE.test(m.message.text ?? ""));
    expect(tgNotices.map((m) => m.message.message_thread_id)).toEqual([topicId]);
    const dcNotices = [...w.dc.world.messages.values()].filter(
      (m) => m.author.id === ids.bot && NOTICE.test(m.content),
    );
    expect(dcNotices.map((m) => m.channelId)).toEqual([threadId]);
    expect(model.requests.filter((r) => r.kind === "recovery")).toEqual([]);
    // The only turns the model saw after the crash are the two continuations.
    const turnsSinceCrash = model.requests.slice(sinceCrash).filter((r) => r.kind === "turn");
    expect(turnsSinceCrash).toEqual([tgContinuation, dcContinuation].sort((a, b) => a.seq - b.seq));
  });
});
