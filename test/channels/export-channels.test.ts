/**
 * /thread export through each real channel (slice h4): typed on Telegram (a document arrives), as Discord's
 * slash subcommand `/thread export format:json` (an attachment), typed at the console (a saved file);
 * /threads search as a slash subcommand; a person without access gets nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createConsoleChannel } from "../../src/channels/console/console-channel.ts";
import { startBot as startCore } from "../core/support/bot-harness.ts";
import { seedTurns } from "../core/support/transcripts.ts";
import { ids } from "../fakes/fake-discord.ts";
import type { FakeOpenClawGateway } from "../fakes/fake-gateway.ts";
import { openTerminal } from "./console/support/terminal.ts";
import { startBot as startDiscord } from "./discord/support/bot-world.ts";
import { slashAnswered } from "./discord/support/harness.ts";
import { botSays, carol, dave, startBot as startTelegram } from "./telegram/support/bot-world.ts";
import { alice, aliceDm } from "./telegram/support/harness.ts";

function seed(gw: FakeOpenClawGateway, slug: string): void {
  seedTurns(gw, `agent:main:named:${slug}`, 3, { tool: true });
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("/thread export through the channels", () => {
  it("Telegram: a Markdown document in the chat the thread is bound to", async () => {
    const world = await startTelegram();
    world.tg.userMessage(aliceDm.id, alice, "/thread Budget");
    await botSays(world, aliceDm.id, undefined, /Created thread/);
    seed(world.gw, "budget");
    world.tg.userMessage(aliceDm.id, alice, "/thread export");
    await botSays(world, aliceDm.id, undefined, 'Exported 8 message(s) of "Budget" as thread-budget.md.');
    const [call] = world.tg.sent("sendDocument");
    expect(String(call?.chat_id)).toBe(String(aliceDm.id));
    const stored = [...world.tg.world.chat(aliceDm.id).messages.values()].find((m) => m.message.document)?.message;
    expect(stored?.document).toMatchObject({ file_name: "thread-budget.md" });
    const text = Buffer.from(world.tg.fileBytes(stored?.document?.file_id ?? "") ?? []).toString("utf8");
    expect(text).toContain("<details><summary>Tool call: exec</summary>");
  });

  it("Discord: an attachment in the thread's own channel", async () => {
    const world = await startDiscord();
    await slashAnswered(world.fake, {
      userId: ids.alice,
      channelId: ids.general,
      name: "thread",
      options: { name: "budget" },
    });
    const thread = [...world.fake.world.channels.values()].find((c) => c.name === "budget");
    seed(world.gw, "budget");
    const answered = await slashAnswered(world.fake, {
      userId: ids.alice,
      channelId: thread?.id ?? "",
      name: "thread",
      subcommand: "export",
      options: { format: "json" },
    });
    expect(answered.original?.content).toBe('Exported 8 message(s) of "budget" as thread-budget.json.');
    const posted = world.fake.messagesIn(thread?.id ?? "").find((m) => m.attachments.length > 0);
    expect(posted?.attachments).toMatchObject([{ filename: "thread-budget.json", contentType: "application/json" }]);
    const parsed = JSON.parse(Buffer.from(posted?.attachments[0]?.bytes ?? []).toString("utf8")) as { rows: unknown[] };
    expect(parsed.rows).toHaveLength(8);
  });

  it("console: the file is saved beside the store and the terminal says where; without a folder, one line", async () => {
    const world = await startCore();
    const dir = mkdtempSync(join(tmpdir(), "tk-export-"));
    dirs.push(dir);
    const terminal = openTerminal(world.bot.app, world.bot.channels, { filesDir: join(dir, "files") });
    await world.command("console:main", "/thread Budget");
    seed(world.gw, "budget");
    await terminal.typed("/thread export", "Exported 8 message(s)");
    const saved = join(dir, "files", "thread-budget.md");
    expect(terminal.printed()).toContain(`📎 saved thread-budget.md (text/markdown, `);
    expect(readFileSync(saved, "utf8")).toMatch(/^# Transcript of "Budget"/);
    await terminal.close();

    world.bot.channels.add(createConsoleChannel({ app: world.bot.app, user: "op" }).channel);
    expect((await world.command("console:main", "/thread export"))?.text).toBe(
      "Files cannot be sent in this conversation, so the transcript cannot be exported here.",
    );
  });

  it("Telegram: /threads search for an admin, refused to others; a stranger's /thread export sends nothing", async () => {
    const world = await startTelegram();
    world.tg.userMessage(aliceDm.id, alice, "/thread Budget Planning");
    await botSays(world, aliceDm.id, undefined, /Created thread/);
    world.tg.userMessage(dave.id, dave, "/threads search planning");
    await botSays(world, dave.id, undefined, /^Threads matching "planning":\n• Budget Planning \(budget-planning\)/);
    world.tg.userMessage(aliceDm.id, alice, "/threads search planning");
    await botSays(world, aliceDm.id, undefined, "Only admins can use /threads search.");
    world.tg.userMessage(carol.id, carol, "/thread export");
    await botSays(world, carol.id, undefined, /not on this bot's allow list/);
    expect(world.tg.sent("sendDocument")).toEqual([]);
  });

  it("Discord: /threads search as a slash subcommand, refused to a member without Manage Server", async () => {
    const world = await startDiscord();
    const open = { userId: ids.alice, channelId: ids.general, name: "thread", subcommand: "open" };
    await slashAnswered(world.fake, { ...open, options: { name: "budget" } });
    const search = { channelId: ids.general, name: "threads", subcommand: "search", options: { words: "budget" } };
    const found = await slashAnswered(world.fake, { ...search, userId: ids.dave });
    expect(found.original?.content).toMatch(/^Threads matching "budget":\n• budget \(budget\)/);
    const refused = await slashAnswered(world.fake, { ...search, userId: ids.bob });
    expect(refused.original?.content).toBe("Only admins can use /threads search.");
  });
});
