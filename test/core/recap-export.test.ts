/**
 * Issue 13, slice h4 through the whole core on the fake gateway: recaps in /thread and /threads (asked
 * in the background, never awaited), /threads search and /thread export (Markdown and JSON files,
 * split into parts past the channel's limit), typed as a person types them and routed by App.handleCommand,
 * which enforces each subcommand's access.
 */
import { describe, expect, it } from "vitest";
import { FAKE_RECAP_DELAY_MS } from "../fakes/gateway/recap-export-methods.ts";
import { RecordingChannel } from "../fakes/recording-channel.ts";
import { type BotUnderTest, CONSOLE_USER, sleep, startBot, USERS, until } from "./support/bot-harness.ts";
import { seedTurns } from "./support/transcripts.ts";

const A = "console:a";
const TG = "telegram:-100";

/** `/<line>` typed in `conversation` by `sender` (the console user by default), routed by the real App. */
function run(world: BotUnderTest, conversation: string, line: string, sender = CONSOLE_USER) {
  const [name = "", ...rest] = line.split(" ");
  const direct = conversation.startsWith("console:");
  const place = { conversation, direct };
  return world.bot.app.handleCommand({ place, sender: { id: sender }, name, text: rest.join(" ") });
}

async function recapsSettle(world: BotUnderTest): Promise<void> {
  await world.bot.services.recaps.settled();
  await sleep(FAKE_RECAP_DELAY_MS * 3);
}

describe("recaps", () => {
  it("/thread answers at once without a recap, asks in the background, and shows it the next time", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget");
    await world.message(A, "plan the rent");
    await world.says(A, "ECHO: plan the rent");
    const first = await world.command(A, "/thread");
    expect(first?.text).not.toContain("Recap:");
    await recapsSettle(world);
    // OpenClaw answered "updating" at first; the next ask (2 s later at most) brings the text.
    await sleep(2_100);
    await world.command(A, "/thread");
    await recapsSettle(world);
    const later = await world.command(A, "/thread");
    expect(later?.text).toContain("Recap: Summary of 2 messages; last asked: plan the rent");
    expect(world.gw.requestsOf("sessions.activitySummary.ensure").length).toBeGreaterThan(0);
  });

  it("a gateway that never answers the recap request does not hold /threads up", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget");
    world.gw.fault("sessions.activitySummary.ensure", { noReply: true }, 5);
    const started = Date.now();
    const reply = await world.command(A, "/threads");
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(reply?.text).toContain("• Budget (budget)");
    expect(reply?.text).not.toContain("Recap:");
  });

  it("one session gone from OpenClaw does not cost the other threads their recaps", async () => {
    const world = await startBot();
    await world.command(A, "/thread One");
    await world.command("console:b", "/thread Two");
    seedTurns(world.gw, "agent:main:named:two", 1);
    world.gw.store.delete("agent:main:named:one");
    world.bot.services.recaps.request(await world.bot.services.threads.matching(""));
    await recapsSettle(world);
    const refused = world.gw.requestsOf("sessions.activitySummary.ensure");
    expect(refused.map((r) => (r.params as { sessions: unknown[] }).sessions.length)).toEqual([2, 1, 1]);
    await sleep(2_100);
    world.bot.services.recaps.request(await world.bot.services.threads.matching(""));
    await recapsSettle(world);
    const two = await world.bot.services.threads.byName("Two");
    expect(two && world.bot.services.recaps.line(two)).toBe("Summary of 2 messages; last asked: turn 1 question");
  });
});

describe("/threads search", () => {
  it("finds threads by every word of name, label and recap; refuses non-admins; one line for no words", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    await world.command("console:b", "/thread Holiday");
    await world.message("console:b", "book the flights to Lisbon");
    await world.says("console:b", "ECHO: book the flights to Lisbon");
    await run(world, A, "threads search anything");
    await recapsSettle(world);
    await sleep(2_100);
    await run(world, A, "threads search anything");
    await recapsSettle(world);

    const byName = await run(world, A, "threads search budget PLANNING");
    expect(byName?.text).toBe(
      'Threads matching "budget planning":\n• Budget Planning (budget-planning) — idle, just now',
    );
    const byRecap = await run(world, A, "threads search lisbon flights");
    expect(byRecap?.text).toContain("• Holiday (holiday)");
    expect(byRecap?.text).toContain("Recap: Summary of 2 messages; last asked: book the flights to Lisbon");
    expect((await run(world, A, "threads search budget lisbon"))?.text).toBe('No threads match "budget lisbon".');
    expect((await run(world, A, "threads search"))?.text).toBe(
      "Usage: /threads search <words>: threads whose name, label or recap contain every word.",
    );
    const before = world.gw.requests.length;
    expect((await run(world, TG, "threads search budget", USERS.allowed))?.text).toBe(
      "Only admins can use /threads search.",
    );
    expect(world.gw.requests.length).toBe(before);
    expect(await run(world, TG, "threads search budget", USERS.stranger)).toBeUndefined();
  });

  it("a chat's administrator finds only the threads bound in that chat", async () => {
    const world = await startBot();
    await world.command(TG, "/thread Budget Here", { sender: USERS.allowed });
    await world.command(A, "/thread Budget Elsewhere");
    const place = { conversation: TG, direct: false, senderIsSpaceAdmin: async () => true };
    const reply = await world.bot.app.handleCommand({
      place,
      sender: { id: USERS.allowed },
      name: "threads",
      text: "search budget",
    });
    expect(reply?.text).toBe('Threads matching "budget":\n• Budget Here (budget-here) — idle, just now');
  });
});

describe("/thread export", () => {
  it("sends the transcript as one Markdown file: tool calls folded, OpenClaw's own rows labelled", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget");
    seedTurns(world.gw, "agent:main:named:budget", 2, { tool: true, system: true });
    const reply = await run(world, A, "thread export");
    expect(reply?.text).toBe('Exported 8 message(s) of "Budget" as thread-budget.md.');
    const file = world.console.in(A).find((m) => m.file)?.file;
    expect(file?.fileName).toBe("thread-budget.md");
    expect(file?.mimeType).toBe("text/markdown");
    const text = new TextDecoder().decode(file?.bytes);
    expect(text).toMatch(/^# Transcript of "Budget"\n\nSession `agent:main:named:budget`\./);
    expect(text).toContain("### Person · ");
    expect(text).toContain("turn 1 question");
    expect(text).toContain(
      '<details><summary>Tool call: exec</summary>\n\n```json\n{\n  "command": "echo one"\n}\n```',
    );
    expect(text).toContain("<details><summary>Tool result: exec · ");
    expect(text).toContain("### OpenClaw (not written by the person) · ");
    expect(text.indexOf("turn 1 question")).toBeLessThan(text.indexOf("turn 2 question"));
  });

  it("json sends OpenClaw's rows as they are, in order", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget");
    seedTurns(world.gw, "agent:main:named:budget", 3);
    await run(world, A, "thread export json");
    const file = world.console.in(A).find((m) => m.file)?.file;
    expect(file?.fileName).toBe("thread-budget.json");
    const parsed = JSON.parse(new TextDecoder().decode(file?.bytes)) as { rows: unknown[]; parts: number };
    expect(parsed.parts).toBe(1);
    expect(parsed.rows).toEqual(world.gw.session("agent:main:named:budget")?.transcript);
  });

  it("splits into numbered parts within the channel's file limit, every row in exactly one part", async () => {
    const world = await startBot();
    const small = new RecordingChannel({ platform: "discord", maxFileBytes: 16 * 1024 });
    world.bot.channels.add(small);
    const here = "discord:g1:c1";
    await run(world, here, "thread Budget");
    seedTurns(world.gw, "agent:main:named:budget", 60, { textBytes: 900 });
    const reply = await run(world, here, "thread export json");
    const files = small.in(here).flatMap((m) => (m.file ? [m.file] : []));
    expect(files.length).toBeGreaterThan(3);
    expect(reply?.text).toContain(`in ${files.length} parts`);
    expect(files.map((f) => f.fileName)).toEqual(
      files.map((_, i) => `thread-budget-part-${i + 1}-of-${files.length}.json`),
    );
    const rows = files.flatMap((f) => {
      expect(f.bytes.byteLength).toBeLessThanOrEqual(16 * 1024);
      return (JSON.parse(new TextDecoder().decode(f.bytes)) as { rows: { __openclaw: { seq: number } }[] }).rows;
    });
    expect(rows.map((r) => r.__openclaw.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it("the fake pages chat.history as OpenClaw does: offset back from the newest, nextOffset until the oldest", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget");
    seedTurns(world.gw, "agent:main:named:budget", 4);
    const key = "agent:main:named:budget";
    const first = await world.client.historyPage({ sessionKey: key, limit: 3 });
    expect([first.rows.map((r) => r.seq), first.nextOffset, first.totalMessages]).toEqual([[6, 7, 8], 3, 8]);
    const second = await world.client.historyPage({ sessionKey: key, limit: 3, offset: 3 });
    expect([second.rows.map((r) => r.seq), second.nextOffset]).toEqual([[3, 4, 5], 6]);
    const last = await world.client.historyPage({ sessionKey: key, limit: 3, offset: 6 });
    expect([last.rows.map((r) => r.seq), last.nextOffset]).toEqual([[1, 2], undefined]);
  });

  it("while the gateway is away: one line, nothing sent", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget");
    await world.gw.stop();
    await until(() => !world.client.connected, "disconnected");
    expect((await run(world, A, "thread export"))?.text).toBe(
      "The OpenClaw gateway is not reachable right now; try again in a moment.",
    );
    expect(world.console.in(A).filter((m) => m.file)).toEqual([]);
  });

  it("bad input and no access: one line each, nothing sent", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget");
    await world.command(TG, "/thread Other", { sender: USERS.allowed });
    seedTurns(world.gw, "agent:main:named:budget", 1);
    const files = () => [...world.console.messages, ...world.telegram.messages].filter((m) => m.file).length;
    expect((await run(world, A, "thread export pdf"))?.text).toBe(
      "Export formats are md (Markdown, the default) and json.",
    );
    expect((await run(world, A, "thread export md nowhere"))?.text).toBe('There is no thread "nowhere".');
    expect((await run(world, "console:unbound", "thread export"))?.text).toBe(
      "No thread is bound here. Start one with /thread <name>.",
    );
    expect((await run(world, TG, "thread export md Budget", USERS.allowed))?.text).toBe(
      "You can export only the thread bound here; admins can export any thread by name.",
    );
    expect((await run(world, TG, "thread export", USERS.allowed))?.text).toBe(
      'Nothing to export: "Other" has no messages yet.',
    );
    expect(await run(world, TG, "thread export", USERS.stranger)).toBeUndefined();
    expect(files()).toBe(0);
    expect((await run(world, TG, "thread export md Budget", USERS.admin))?.text).toContain('message(s) of "Budget"');
  });
});
