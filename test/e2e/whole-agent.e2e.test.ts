/**
 * Issue 12, "the whole agent in a thread", against the real OpenClaw gateway (fake model) through the real
 * grammY and discord.js channels and our fake Telegram and fake Discord: live progress, files from the agent,
 * exec approvals (with a bot restart while one is pending), files to the agent, and that none of it reaches
 * another conversation. One gateway for the file; its model is declared as taking images
 * (`input: ["text","image"]`) and `mediaMaxMb` is 8, as in agent-loop.e2e.test.ts; the approvals block sets
 * OpenClaw's exec policy to ask for every command and puts it back afterwards.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { OpenClawGateway } from "../../src/gateway/index.ts";
import type { FakeAttachment } from "../fakes/fake-discord.ts";
import type { FakeUser, StoredMessage as TelegramMessage } from "../fakes/fake-telegram.ts";
import {
  type ContentPart,
  imageModelConfig,
  PNG_1X1_BASE64,
  partsText,
  tinyPdf,
  userParts,
} from "./harness/agent-loop.ts";
import { namedKey, startE2eGateway } from "./harness/e2e-context.ts";
import { type FakeModel, type ModelMode, type ModelRequest, startFakeModel } from "./harness/fake-model.ts";
import type { Gateway } from "./harness/gateway.ts";
import type { RawClient } from "./harness/raw-client.ts";
import {
  alice,
  aliceDm,
  bob,
  type ChannelsBot,
  discordSays,
  forum,
  ids,
  openDiscordThread,
  openTelegramTopic,
  restartChannelsBot,
  startChannelsBot,
  telegramSays,
} from "./support/channels/channels-bot.ts";
import { until } from "./support/waits.ts";
import {
  APPROVAL,
  type ClientCall,
  discordBotMessagesAfter,
  discordButtons,
  discordVersions,
  isDiscordProgress,
  isTelegramProgress,
  logCalls,
  pressDiscord,
  pressTelegram,
  solidPng,
  startTelegramPress,
  telegramBotMessagesAfter,
  telegramButtons,
  telegramToast,
  telegramVersions,
} from "./support/whole-agent.ts";

const PNG = Buffer.from(PNG_1X1_BASE64, "base64");
const MEDIA_MAX_MB = 8;
const EPHEMERAL = 64;
/** A member of the forum who is not on ALLOWED_USERS: a stranger to the bot (ids.carol on Discord likewise). */
const carol: FakeUser = { id: 103, is_bot: false, first_name: "Carol" };
/** Alice and Bob on both platforms, neither an admin: only the one who started a turn may answer its approval. */
const ALLOWED = [`telegram:${alice.id}`, `telegram:${bob.id}`, `discord:${ids.alice}`, `discord:${ids.bob}`];
const NOT_ALLOWED = "You are not allowed to use this bot.";
const NOT_YOURS = "Only the person whose message started this turn, or an admin, can answer this approval.";
const SUMMARY_OF_THREE = /^✓ 3 tool calls \(exec, read\) in \d+ s$/;

let model: FakeModel;
let gateway: Gateway;
/** An operator client of the test's own (admin, no capabilities: never asked to approve anything). */
let raw: RawClient;
let dir: string;
let workspace: string;
let world: ChannelsBot;
/** resolveApproval and listApprovals of every bot of the file, in order. */
const calls: ClientCall[] = [];

/** Where the agent's turns happen: a forum topic and a Discord thread. */
const at = { tgTopic: 0, dcThread: "" };
/** Bot messages outside the two agent conversations once the file's set-up was done, with their texts. */
const before = { telegram: new Map<string, string[]>(), discord: new Map<string, string[]>() };

const botOptions = () => ({
  gateway,
  storePath: join(dir, "whole-agent.json"),
  policy: "auto" as const,
  allowedUsers: ALLOWED,
  observeGateway: (client: OpenClawGateway) => logCalls(client, ["resolveApproval", "listApprovals"], calls),
});

const tgConversation = () => `telegram:${forum.id}:topic:${at.tgTopic}`;
const dcConversation = () => `discord:${ids.guild}:${at.dcThread}`;

/** Every Telegram bot message outside the agent's topic, by chat:id, with its texts. */
function telegramElsewhere(w: ChannelsBot): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const chat of [aliceDm.id, forum.id]) {
    for (const m of w.tg.botMessages(chat, "any")) {
      if (chat === forum.id && m.message.message_thread_id === at.tgTopic) continue;
      out.set(`${chat}:${m.message.message_id}`, telegramVersions(m));
    }
  }
  return out;
}

/** Every Discord bot message outside the agent's Discord thread, by id, with its contents. */
function discordElsewhere(w: ChannelsBot): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of w.dc.world.messages.values()) {
    if (m.author.id !== ids.bot || m.channelId === at.dcThread) continue;
    out.set(m.id, discordVersions(m));
  }
  return out;
}

/** The text of the last tool result the model received after request `since`. */
function toolResultSeen(since: number): string | undefined {
  const followUp = model.requests.filter((r) => r.seq > since && r.kind === "tool-followup").at(-1);
  return followUp?.messages.filter((m) => m.role === "tool").at(-1)?.text;
}

/** Resolves once the bot has closed every turn of a thread (its answer and files shown, its entry closed). */
function turnsClosed(w: ChannelsBot, slug: string): Promise<true> {
  return until(
    `the turns of ${slug} to close`,
    () => !Object.values(w.store.state.journal).some((e) => e.slug === slug),
    60_000,
  );
}

/** The gateway id of the approval the bot posted as `messageId` in `conversation` (noted once the post returned). */
function approvalIdOf(w: ChannelsBot, conversation: string, messageId: string): Promise<string> {
  return until(
    `the approval posted as ${messageId} in ${conversation}`,
    () =>
      Object.values(w.store.state.approvals).find((a) => a.conversation === conversation && a.messageId === messageId)
        ?.id,
    10_000,
  );
}

/** What the gateway's registry says of an approval (approval.get). */
async function registry(id: string): Promise<{ status: string; decision?: string }> {
  return (await raw.request<{ approval: { status: string; decision?: string } }>("approval.get", { id })).approval;
}

function resolves(): ClientCall[] {
  return calls.filter((c) => c.method === "resolveApproval");
}

/** The first bot message in the agent's topic after message `after` whose text matches. */
function telegramAfter(after: number, match: (m: TelegramMessage) => boolean, what: string) {
  return world.tg.waitUntil(() => telegramBotMessagesAfter(world.tg, forum.id, at.tgTopic, after).find(match), {
    timeoutMs: 60_000,
    what,
  });
}

/** "⚙️ <step> · <n> tool calls · <t>" as "<step> · <n>"; the summary as it is; repeats (heartbeats) dropped. */
function steps(versions: string[]): string[] {
  const out: string[] = [];
  for (const v of versions) {
    const m = /^⚙️ (.*) · (\d+) tool calls? · .+$/.exec(v);
    const step = m ? `${m[1]} · ${m[2]}` : v;
    if (out.at(-1) !== step) out.push(step);
  }
  return out;
}

/** Three tool calls (an exec of 1.2 s, a read, an exec of 1.2 s), then `finalText`. */
function threeTools(tag: string): ModelMode {
  return {
    kind: "tool",
    name: "exec",
    args: { command: `sleep 1.2; echo one-${tag}` },
    nextCalls: [
      { name: "read", args: { path: "AGENTS.md" } },
      { name: "exec", args: { command: `sleep 1.2; echo three-${tag}` } },
    ],
    finalText: `Three tools done (${tag}).`,
  };
}

beforeAll(async () => {
  model = await startFakeModel();
  gateway = await startE2eGateway(model, "whole-agent", {
    configure: imageModelConfig(MEDIA_MAX_MB),
  });
  workspace = join(gateway.paths.stateDir, "workspace");
  raw = await gateway.connect();
  dir = mkdtempSync(join(tmpdir(), "tk-whole-agent-"));
  world = await startChannelsBot(botOptions());
  world.tg.setMember(forum.id, bob, "member");
  world.tg.setMember(forum.id, carol, "member");

  at.tgTopic = await openTelegramTopic(world, "tg-agent");
  // Conversations bound to other threads, which must see nothing of the agent's turns: a second forum topic,
  // Alice's Telegram DM and her Discord DM.
  await openTelegramTopic(world, "tg-quiet");
  world.tg.userMessage(aliceDm.id, alice, "/thread tg-quiet-dm");
  await telegramSays(world, aliceDm.id, undefined, /Created thread "tg-quiet-dm"/);
  at.dcThread = (await openDiscordThread(world, "dc-agent")).threadId;
  const dm = world.dc.slash({
    userId: ids.alice,
    dm: true,
    name: "thread",
    subcommand: "open",
    options: { name: "dc-quiet" },
  });
  await world.dc.waitFor(() => !dm.pendingDefer && dm.original?.content, { timeoutMs: 30_000, what: "DM /thread" });
  before.telegram = telegramElsewhere(world);
  before.discord = discordElsewhere(world);
});

afterEach(() => {
  model.release();
  expect(world.tg.unimplemented).toEqual([]);
  expect(world.dc.misses).toEqual([]);
  expect([...world.tg.world.callbackQueries.values()].every((q) => q.answered)).toBe(true);
  expect(world.logger.problems()).toEqual([]);
  const logged = world.logger.text();
  for (const secret of [world.tg.token, world.dc.token, gateway.token]) expect(logged).not.toContain(secret);
  expect(model.unexpected()).toEqual([]);
});

afterAll(async () => {
  // A pending approval would hold the gateway's graceful stop for minutes.
  if (raw && !raw.closeInfo) {
    const pending = await raw.request<{ id: string }[]>("exec.approval.list", {}).catch(() => []);
    for (const p of pending) await raw.request("exec.approval.resolve", { id: p.id, decision: "deny" }).catch(() => {});
  }
  await world?.stop();
  await gateway?.cleanup();
  await model?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("live progress", () => {
  it("three tool calls: one line that names each tool in turn, edited at most once a second, ending as a one-line summary", async () => {
    const w = world;
    model.when("three tools on telegram", threeTools("tg"), 1);
    model.when("three tools on discord", threeTools("dc"), 1);
    const tgAsked = w.tg.userMessage(forum.id, alice, "three tools on telegram", { topicId: at.tgTopic });
    const dcAsked = w.dc.userMessage({ userId: ids.alice, channelId: at.dcThread, content: "three tools on discord" });
    const tgAnswer = await telegramSays(w, forum.id, at.tgTopic, "Three tools done (tg).");
    const dcAnswer = await discordSays(w, at.dcThread, "Three tools done (dc).");
    await turnsClosed(w, "tg-agent");
    await turnsClosed(w, "dc-agent");

    // Telegram: exactly one progress message for the turn, posted before the answer, in the topic.
    const tgLines = telegramBotMessagesAfter(w.tg, forum.id, at.tgTopic, tgAsked.message_id).filter(isTelegramProgress);
    expect(tgLines).toHaveLength(1);
    const tgLine = tgLines[0] as TelegramMessage;
    expect(tgLine.message.message_id).toBeLessThan(tgAnswer.message.message_id);
    const versions = telegramVersions(tgLine);
    expect(steps(versions)).toEqual([
      "exec sleep 1.2; echo one-tg · 1",
      "read AGENTS.md · 2",
      "exec sleep 1.2; echo three-tg · 3",
      expect.stringMatching(SUMMARY_OF_THREE),
    ]);
    expect(versions.at(-1)).toMatch(SUMMARY_OF_THREE);
    // The running line is never edited faster than about once a second (the summary comes when the turn ends).
    const running = tgLine.history.filter((v) => v.text.startsWith("⚙️ "));
    for (let i = 1; i < running.length; i++) {
      expect((running[i]?.at ?? 0) - (running[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    }

    // Discord: the same, in the Discord thread.
    const dcLines = discordBotMessagesAfter(w.dc, at.dcThread, dcAsked.id).filter(isDiscordProgress);
    expect(dcLines).toHaveLength(1);
    const dcLine = dcLines[0];
    expect(BigInt(dcLine?.id ?? 0)).toBeLessThan(BigInt(dcAnswer.id));
    expect(steps(dcLine ? discordVersions(dcLine) : [])).toEqual([
      "exec sleep 1.2; echo one-dc · 1",
      "read AGENTS.md · 2",
      "exec sleep 1.2; echo three-dc · 3",
      expect.stringMatching(SUMMARY_OF_THREE),
    ]);
  });

  it("a turn without tool calls shows no progress line", async () => {
    const w = world;
    const asked = w.tg.userMessage(forum.id, alice, "no tools here", { topicId: at.tgTopic });
    await telegramSays(w, forum.id, at.tgTopic, "ECHO: no tools here");
    await turnsClosed(w, "tg-agent");
    const after = telegramBotMessagesAfter(w.tg, forum.id, at.tgTopic, asked.message_id);
    expect(after.map((m) => m.message.text)).toEqual(["ECHO: no tools here"]);
  });
  it("a bot restart during a tool call: the turn keeps one progress line, and it still ends as the summary", async () => {
    model.when(
      "a long tool across a restart",
      { kind: "tool", name: "exec", args: { command: "sleep 3; echo long" }, finalText: "Long tool done." },
      1,
    );
    const asked = world.tg.userMessage(forum.id, alice, "a long tool across a restart", { topicId: at.tgTopic });
    const line = await telegramAfter(asked.message_id, isTelegramProgress, "the progress line");
    expect(line.message.text).toMatch(/^⚙️ exec sleep 3; echo long · 1 tool call · \d+ s$/);
    const old = world;
    world = await restartChannelsBot(old, botOptions());
    expect(old.logger.problems()).toEqual([]);
    await telegramAfter(asked.message_id, (m) => m.message.text === "Long tool done.", "the answer");
    await turnsClosed(world, "tg-agent");
    const after = telegramBotMessagesAfter(world.tg, forum.id, at.tgTopic, asked.message_id);
    expect(after.filter(isTelegramProgress)).toEqual([line]);
    expect(after.filter((m) => m.message.text === "Long tool done.")).toHaveLength(1);
    expect(line.message.text).toMatch(/^✓ 1 tool call \(exec\) in \d+ s$/);
  });
});

describe("files from the agent", () => {
  beforeAll(() => {
    mkdirSync(workspace, { recursive: true });
    writeFileSync(join(workspace, "chart.png"), PNG);
    writeFileSync(join(workspace, "report.pdf"), tinyPdf("Report"));
  });

  it("telegram: a MEDIA: PNG becomes a photo and a MEDIA: PDF a document in the topic, each once, after its text", async () => {
    const w = world;
    model.when(
      "send the chart on telegram",
      { kind: "text", text: `Here is the chart.\n\nMEDIA:${workspace}/chart.png` },
      1,
    );
    model.when("send the report on telegram", { kind: "text", text: "Your report.\nMEDIA:./report.pdf" }, 1);

    const chartAsked = w.tg.userMessage(forum.id, alice, "send the chart on telegram", { topicId: at.tgTopic });
    const chartText = await telegramAfter(
      chartAsked.message_id,
      (m) => m.message.text === "Here is the chart.",
      "text",
    );
    const photo = await telegramAfter(chartAsked.message_id, (m) => m.message.photo !== undefined, "the photo");
    await turnsClosed(w, "tg-agent");
    expect(photo.message.message_id).toBeGreaterThan(chartText.message.message_id);
    expect(w.tg.fileBytes(photo.message.photo?.at(-1)?.file_id ?? "")).toEqual(PNG);

    const reportAsked = w.tg.userMessage(forum.id, alice, "send the report on telegram", { topicId: at.tgTopic });
    const reportText = await telegramAfter(reportAsked.message_id, (m) => m.message.text === "Your report.", "text");
    const document = await telegramAfter(reportAsked.message_id, (m) => m.message.document !== undefined, "the PDF");
    await turnsClosed(w, "tg-agent");
    expect(document.message.message_id).toBeGreaterThan(reportText.message.message_id);
    expect(document.message.document?.file_name).toBe("report.pdf");
    expect(w.tg.fileBytes(document.message.document?.file_id ?? "")).toEqual(tinyPdf("Report"));

    // Both turns are closed (a reply's files are shown before its turn closes): each file came exactly once.
    const shown = telegramBotMessagesAfter(w.tg, forum.id, at.tgTopic, chartAsked.message_id).filter(
      (m) => m.message.chat.id === forum.id,
    );
    expect(
      shown.map((m) => m.message.text ?? (m.message.photo ? "[photo]" : m.message.document ? "[document]" : "?")),
    ).toEqual(["Here is the chart.", "[photo]", "Your report.", "[document]"]);
    expect(JSON.stringify(shown.map((m) => telegramVersions(m)))).not.toContain("MEDIA:");
  });

  it("discord: a MEDIA: PNG and a MEDIA: PDF come as messages with an attachment in the Discord thread, once, after the text", async () => {
    const w = world;
    model.when(
      "send the chart on discord",
      { kind: "text", text: `Here is the chart.\n\nMEDIA:${workspace}/chart.png` },
      1,
    );
    model.when("send the report on discord", { kind: "text", text: "Your report.\nMEDIA:./report.pdf" }, 1);
    const asked = w.dc.userMessage({ userId: ids.alice, channelId: at.dcThread, content: "send the chart on discord" });
    await discordSays(w, at.dcThread, "Here is the chart.");
    await turnsClosed(w, "dc-agent");
    w.dc.userMessage({ userId: ids.alice, channelId: at.dcThread, content: "send the report on discord" });
    await discordSays(w, at.dcThread, "Your report.");
    await turnsClosed(w, "dc-agent");
    const shown = discordBotMessagesAfter(w.dc, at.dcThread, asked.id);
    expect(shown.map((m) => [m.content, m.attachments.map((a) => a.filename)])).toEqual([
      ["Here is the chart.", []],
      ["", ["chart.png"]],
      ["Your report.", []],
      ["", ["report.pdf"]],
    ]);
  });
});

describe("exec approvals (OpenClaw's policy: ask for every command)", () => {
  let original: Record<string, unknown>;

  beforeAll(async () => {
    const current = await raw.request<{ hash: string; file: Record<string, unknown> }>("exec.approvals.get", {});
    original = current.file;
    await raw.request("exec.approvals.set", {
      file: { version: 1, defaults: { security: "full", ask: "always", askFallback: "deny" } },
      baseHash: current.hash,
    });
  });

  afterAll(async () => {
    const current = await raw.request<{ hash: string }>("exec.approvals.get", {});
    await raw.request("exec.approvals.set", { file: original, baseHash: current.hash });
  });

  it("telegram: one approval with buttons in the topic; a stranger's and another member's press change nothing; Approve once runs the command; a second press is answered once", async () => {
    const w = world;
    model.when(
      "run it on telegram",
      { kind: "tool", name: "exec", args: { command: "echo approved-tg" }, finalText: "Ran it on Telegram." },
      1,
    );
    const since = model.requests.length;
    const resolvedBefore = resolves().length;
    const asked = w.tg.userMessage(forum.id, alice, "run it on telegram", { topicId: at.tgTopic });
    const shown = await telegramAfter(asked.message_id, (m) => APPROVAL.test(m.message.text ?? ""), "the approval");
    expect(shown.message.text).toMatch(
      new RegExp(
        `^🔐 The agent in "tg-agent" asks to run a command:\\necho approved-tg\\nin ${workspace.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} · agent main · expires \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC$`,
      ),
    );
    expect(telegramButtons(shown)).toEqual(["Approve once", "Deny"]);
    const id = await approvalIdOf(w, tgConversation(), String(shown.message.message_id));
    const listed = await raw.request<{ id: string; request: { sessionKey: string } }[]>("exec.approval.list", {});
    expect(listed.map((a) => [a.id, a.request.sessionKey])).toEqual([[id, namedKey("tg-agent")]]);

    // Presses that may not answer: nothing reaches the gateway, the message keeps its buttons.
    expect(await pressTelegram(w.tg, carol, shown, "Approve once")).toBe(NOT_ALLOWED);
    expect(await pressTelegram(w.tg, bob, shown, "Approve once")).toBe(NOT_YOURS);
    expect(await pressTelegram(w.tg, bob, shown, "Deny")).toBe(NOT_YOURS);
    expect(resolves()).toHaveLength(resolvedBefore);
    expect(await registry(id)).toMatchObject({ status: "pending" });
    expect(telegramVersions(shown)).toHaveLength(1);
    expect(telegramButtons(shown)).toEqual(["Approve once", "Deny"]);

    // Alice presses Approve once twice in a row: one answer decides, the other is told so.
    const first = startTelegramPress(w.tg, alice, shown, "Approve once");
    const second = startTelegramPress(w.tg, alice, shown, "Approve once");
    const toasts = [await telegramToast(w.tg, first), await telegramToast(w.tg, second)];
    expect(toasts.filter((t) => t === "✅ Approved once.")).toHaveLength(1);
    expect(toasts.filter((t) => t !== "✅ Approved once.")).toEqual([
      expect.stringMatching(
        /^(That approval is being answered right now\.|Already decided: ✅ Approved once by telegram:101\.)$/,
      ),
    ]);

    await telegramAfter(asked.message_id, (m) => m.message.text === "Ran it on Telegram.", "the answer");
    await turnsClosed(w, "tg-agent");
    expect(toolResultSeen(since)).toBe("approved-tg");
    expect(
      resolves()
        .slice(resolvedBefore)
        .map((c) => c.args[0]),
    ).toEqual([{ id, decision: "allow-once" }]);
    expect(await registry(id)).toMatchObject({ status: "allowed", decision: "allow-once" });
    expect(telegramVersions(shown)).toHaveLength(2);
    expect(shown.message.text).toMatch(/\n\n✅ Approved once by telegram:101\.$/);
    expect(telegramButtons(shown)).toEqual([]);
    const after = telegramBotMessagesAfter(w.tg, forum.id, at.tgTopic, asked.message_id);
    expect(after.filter((m) => APPROVAL.test(m.history[0]?.text ?? ""))).toEqual([shown]);
    expect(after.filter((m) => m.message.text === "Ran it on Telegram.")).toHaveLength(1);
    const progress = after.filter(isTelegramProgress);
    expect(progress).toHaveLength(1);
    expect(progress[0]?.message.text).toMatch(/^✓ 1 tool call \(exec\) in \d+ s$/);
  });

  it("discord: Deny in the Discord thread; a stranger's and another member's press change nothing; the model sees the denial and the answer arrives", async () => {
    const w = world;
    model.when(
      "run it on discord",
      { kind: "tool", name: "exec", args: { command: "echo approved-dc" }, finalText: "Ran it on Discord." },
      1,
    );
    const since = model.requests.length;
    const resolvedBefore = resolves().length;
    const asked = w.dc.userMessage({ userId: ids.alice, channelId: at.dcThread, content: "run it on discord" });
    const shown = await w.dc.waitFor(
      () => discordBotMessagesAfter(w.dc, at.dcThread, asked.id).find((m) => APPROVAL.test(m.content)),
      { timeoutMs: 60_000, what: "the approval in the Discord thread" },
    );
    expect(shown.content).toMatch(/^🔐 The agent in "dc-agent" asks to run a command:\necho approved-dc\nin /);
    expect(discordButtons(shown).map((b) => b.label)).toEqual(["Approve once", "Deny"]);
    const id = await approvalIdOf(w, dcConversation(), shown.id);

    expect(await pressDiscord(w.dc, ids.carol, shown, "Deny")).toEqual({ content: NOT_ALLOWED, flags: EPHEMERAL });
    expect(await pressDiscord(w.dc, ids.bob, shown, "Deny")).toEqual({ content: NOT_YOURS, flags: EPHEMERAL });
    expect(await pressDiscord(w.dc, ids.bob, shown, "Approve once")).toEqual({ content: NOT_YOURS, flags: EPHEMERAL });
    expect(resolves()).toHaveLength(resolvedBefore);
    expect(await registry(id)).toMatchObject({ status: "pending" });
    expect(discordVersions(shown)).toHaveLength(1);

    expect(await pressDiscord(w.dc, ids.alice, shown, "Deny")).toEqual({ content: "⛔ Denied.", flags: EPHEMERAL });
    await discordSays(w, at.dcThread, "Ran it on Discord.", 60_000);
    await turnsClosed(w, "dc-agent");
    expect(toolResultSeen(since)).toBe(`Exec denied (gateway id=${id}, user-denied): echo approved-dc`);
    expect(
      resolves()
        .slice(resolvedBefore)
        .map((c) => c.args[0]),
    ).toEqual([{ id, decision: "deny" }]);
    expect(await registry(id)).toMatchObject({ status: "denied", decision: "deny" });
    expect(shown.content).toMatch(/\n\n⛔ Denied by discord:300000000000000001\.$/);
    expect(discordButtons(shown)).toEqual([]);
    const after = discordBotMessagesAfter(w.dc, at.dcThread, asked.id);
    expect(after.filter((m) => APPROVAL.test(discordVersions(m)[0] ?? ""))).toEqual([shown]);
    expect(after.filter((m) => m.content === "Ran it on Discord.")).toHaveLength(1);
  });

  it("a bot restart while an approval is pending: it is not posted again, and pressing it after the restart runs the command", async () => {
    model.when(
      "run it across a restart",
      { kind: "tool", name: "exec", args: { command: "echo after-restart" }, finalText: "Ran it after the restart." },
      1,
    );
    const since = model.requests.length;
    const asked = world.tg.userMessage(forum.id, alice, "run it across a restart", { topicId: at.tgTopic });
    const shown = await telegramAfter(asked.message_id, (m) => APPROVAL.test(m.message.text ?? ""), "the approval");
    const id = await approvalIdOf(world, tgConversation(), String(shown.message.message_id));
    expect(await registry(id)).toMatchObject({ status: "pending" });

    const old = world;
    const lists = calls.filter((c) => c.method === "listApprovals").length;
    world = await restartChannelsBot(old, botOptions());
    expect(old.logger.problems()).toEqual([]);
    // The new bot has read the gateway's pending list (and would have posted what it had not shown).
    await until(
      "the restarted bot's look at the pending approvals",
      () => calls.slice(lists).some((c) => c.method === "listApprovals" && c.settled),
      30_000,
    );
    expect(await registry(id)).toMatchObject({ status: "pending" });

    expect(await pressTelegram(world.tg, alice, shown, "Approve once")).toBe("✅ Approved once.");
    await telegramAfter(asked.message_id, (m) => m.message.text === "Ran it after the restart.", "the answer");
    await turnsClosed(world, "tg-agent");
    expect(toolResultSeen(since)).toBe("after-restart");
    expect(await registry(id)).toMatchObject({ status: "allowed", decision: "allow-once" });
    expect(shown.message.text).toMatch(/\n\n✅ Approved once by telegram:101\.$/);
    expect(telegramButtons(shown)).toEqual([]);
    const after = telegramBotMessagesAfter(world.tg, forum.id, at.tgTopic, asked.message_id);
    expect(after.filter((m) => APPROVAL.test(m.history[0]?.text ?? ""))).toEqual([shown]);
    expect(after.filter((m) => m.message.text === "Ran it after the restart.")).toHaveLength(1);
    expect(after.filter(isTelegramProgress).length).toBeLessThanOrEqual(1);
  });
});

describe("files to the agent", () => {
  const RED = solidPng([255, 0, 0]);
  const PAGES = [solidPng([0, 128, 0]), solidPng([0, 0, 255]), solidPng([128, 128, 128])];
  const PDF = tinyPdf("Quarterly numbers");
  const OVER = (MEDIA_MAX_MB + 1) * 1024 * 1024;
  const dataUrl = (png: Buffer) => `data:image/png;base64,${png.toString("base64")}`;
  const images = (parts: ContentPart[]) => parts.filter((p) => p.type === "image_url").map((p) => p.image_url?.url);

  /** The one model request of the turn whose text includes `text` (there must be exactly one). */
  function onlyRequest(since: number, text: string): ModelRequest {
    const turns = model.requests.filter((r) => r.seq > since && r.kind === "turn" && r.userText?.includes(text));
    expect(turns, `model requests for "${text}"`).toHaveLength(1);
    return turns[0] as ModelRequest;
  }

  /** The model's turn requests since `since`, each named by the one of `texts` it carries. */
  function turnsSince(since: number, texts: readonly string[]): string[] {
    return model.requests
      .filter((r) => r.seq > since && r.kind === "turn")
      .map((r) => texts.find((t) => r.userText?.includes(t)) ?? `unexpected: ${r.userText}`);
  }

  it("telegram: a photo with its caption, an album of three photos, a PDF each reach the model in one request; an over-limit file is refused with one line", async () => {
    const w = world;
    model.when("what is in this?", { kind: "text", text: "A red dot." }, 1);
    model.when("three pages", { kind: "text", text: "Three pages seen." }, 1);
    model.when("summarise this", { kind: "text", text: "Quarterly numbers, summarised." }, 1);
    const since = model.requests.length;

    const photo = w.tg.userMessage(forum.id, alice, "what is in this?", {
      topicId: at.tgTopic,
      media: { kind: "photo", bytes: RED },
    });
    await telegramAfter(photo.message_id, (m) => m.message.text === "A red dot.", "the answer to the photo");
    const photoParts = userParts(onlyRequest(since, "what is in this?"));
    expect(images(photoParts)).toEqual([dataUrl(RED)]);
    expect(partsText(photoParts)).toMatch(/\[media attached: [^\n]+ \(image\/png\)\]\nwhat is in this\?/);

    const album = w.tg.album(
      forum.id,
      alice,
      PAGES.map((bytes) => ({ kind: "photo" as const, bytes })),
      { caption: "three pages", topicId: at.tgTopic },
    );
    await telegramAfter(album[0]?.message_id ?? 0, (m) => m.message.text === "Three pages seen.", "the album's answer");
    const albumParts = userParts(onlyRequest(since, "three pages"));
    expect(images(albumParts)).toEqual(PAGES.map(dataUrl));
    expect(partsText(albumParts)).toContain("[media attached: 3 files]");

    const pdf = w.tg.userMessage(forum.id, alice, "summarise this", {
      topicId: at.tgTopic,
      media: { kind: "document", bytes: PDF, fileName: "q3.pdf", mimeType: "application/pdf" },
    });
    await telegramAfter(pdf.message_id, (m) => m.message.text === "Quarterly numbers, summarised.", "the PDF's answer");
    const pdfParts = userParts(onlyRequest(since, "summarise this"));
    const pdfText = partsText(pdfParts);
    expect(pdfText).toMatch(
      /\[media attached: media:\/\/inbound\/q3---[0-9a-f-]+\.pdf \(application\/pdf\)\]\nsummarise this/,
    );
    expect(pdfText).toMatch(/<file name="q3---[0-9a-f-]+\.pdf" mime="application\/pdf">/);
    expect(pdfText).toContain("Quarterly numbers");
    expect(images(pdfParts)).toEqual([expect.stringMatching(/^data:image\/png;base64,iVBORw0KGgo/)]);

    const big = w.tg.userMessage(forum.id, alice, "keep this", {
      topicId: at.tgTopic,
      media: { kind: "document", size: OVER, fileName: "backup.zip", mimeType: "application/zip" },
    });
    const refusal = await telegramAfter(big.message_id, () => true, "the refusal");
    expect(refusal.message.text).toBe(
      `backup.zip (${MEDIA_MAX_MB + 1} MB) is over ${MEDIA_MAX_MB} MB, the most the agent takes for a file; nothing of this message was sent.`,
    );
    // Nothing of it went anywhere: the next message is the only turn the model gets after the PDF.
    const after = w.tg.userMessage(forum.id, alice, "after the refusal", { topicId: at.tgTopic });
    await telegramAfter(after.message_id, (m) => m.message.text === "ECHO: after the refusal", "the echo");
    await turnsClosed(w, "tg-agent");
    const texts = ["what is in this?", "three pages", "summarise this", "after the refusal"];
    expect(turnsSince(since, texts)).toEqual(texts);
    expect(telegramBotMessagesAfter(w.tg, forum.id, at.tgTopic, big.message_id - 1).map((m) => m.message.text)).toEqual(
      [refusal.message.text, "ECHO: after the refusal"],
    );
    expect(w.tg.calls.filter((c) => c.method === "getFile" && c.params.file_id === big.document?.file_id)).toEqual([]);
  });

  it("discord: an image with its text, three images in one message, a PDF each reach the model in one request; an over-limit file is refused with one line", async () => {
    const w = world;
    model.when("what does this show?", { kind: "text", text: "A red dot on Discord." }, 1);
    model.when("pages on discord", { kind: "text", text: "Three pages seen on Discord." }, 1);
    model.when("digest this PDF", { kind: "text", text: "Quarterly numbers, summarised on Discord." }, 1);
    const since = model.requests.length;
    const say = (content: string, attachments: FakeAttachment[]) =>
      w.dc.userMessage({ userId: ids.alice, channelId: at.dcThread, content, attachments });

    say("what does this show?", [{ filename: "dot.png", contentType: "image/png", bytes: RED }]);
    await discordSays(w, at.dcThread, "A red dot on Discord.", 60_000);
    const imageParts = userParts(onlyRequest(since, "what does this show?"));
    expect(images(imageParts)).toEqual([dataUrl(RED)]);
    expect(partsText(imageParts)).toMatch(/\[media attached: [^\n]+ \(image\/png\)\]\nwhat does this show\?/);

    say(
      "pages on discord",
      PAGES.map((bytes, i) => ({ filename: `page-${i + 1}.png`, contentType: "image/png", bytes })),
    );
    await discordSays(w, at.dcThread, "Three pages seen on Discord.", 60_000);
    const pageParts = userParts(onlyRequest(since, "pages on discord"));
    expect(images(pageParts)).toEqual(PAGES.map(dataUrl));
    expect(partsText(pageParts)).toContain("[media attached: 3 files]");

    say("digest this PDF", [{ filename: "q3.pdf", contentType: "application/pdf", bytes: PDF }]);
    await discordSays(w, at.dcThread, "Quarterly numbers, summarised on Discord.", 60_000);
    const pdfParts = userParts(onlyRequest(since, "digest this PDF"));
    expect(partsText(pdfParts)).toMatch(/<file name="q3---[0-9a-f-]+\.pdf" mime="application\/pdf">/);
    expect(partsText(pdfParts)).toContain("Quarterly numbers");
    expect(images(pdfParts)).toEqual([expect.stringMatching(/^data:image\/png;base64,iVBORw0KGgo/)]);

    const big = say("keep this big one", [
      { filename: "raw.bin", contentType: "application/octet-stream", size: OVER },
    ]);
    const refusal = await discordSays(w, at.dcThread, /nothing of this message was sent/, 30_000);
    expect(refusal.content).toBe(
      `raw.bin (${MEDIA_MAX_MB + 1} MB) is over ${MEDIA_MAX_MB} MB, the most the agent takes for a file; nothing of this message was sent.`,
    );
    say("after the discord refusal", []);
    await discordSays(w, at.dcThread, "ECHO: after the discord refusal", 60_000);
    await turnsClosed(w, "dc-agent");
    const texts = ["what does this show?", "pages on discord", "digest this PDF", "after the discord refusal"];
    expect(turnsSince(since, texts)).toEqual(texts);
    expect(discordBotMessagesAfter(w.dc, at.dcThread, big.id).map((m) => m.content)).toEqual([
      refusal.content,
      "ECHO: after the discord refusal",
    ]);
    expect(w.dc.cdnRequests.filter((r) => r.path.endsWith("/raw.bin"))).toEqual([]);
  });
});

describe("isolation", () => {
  it("none of it reached the conversations bound to other threads, nor the other platform", async () => {
    // Bot messages outside the agent's topic and Discord thread are exactly the set-up's, unchanged.
    expect(telegramElsewhere(world)).toEqual(before.telegram);
    expect(discordElsewhere(world)).toEqual(before.discord);
    // Each platform's agent conversation has only its own thread's turns.
    const tgTexts = JSON.stringify(world.tg.botMessages(forum.id, at.tgTopic).map(telegramVersions));
    const dcTexts = JSON.stringify(discordBotMessagesAfter(world.dc, at.dcThread, undefined).map(discordVersions));
    for (const dcOnly of ["dc-agent", "(dc)", "Discord", "approved-dc"]) expect(tgTexts).not.toContain(dcOnly);
    for (const tgOnly of ["tg-agent", "(tg)", "Telegram", "approved-tg", "restart"])
      expect(dcTexts).not.toContain(tgOnly);
    // The other threads' sessions never got a turn.
    for (const slug of ["tg-quiet", "tg-quiet-dm", "dc-quiet"]) {
      const history = await raw.request<{ messages: unknown[] }>("chat.history", { sessionKey: namedKey(slug) });
      expect(history.messages, slug).toEqual([]);
    }
  });
});
