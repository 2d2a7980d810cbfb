/**
 * /thread export delivered by each real channel (slice h4): the transcript arrives as a Telegram document,
 * a Discord attachment, and a file the console saves. Until subcommands are routed (branch h0), the
 * export's handler runs with the bot's services for a conversation the real channel bound.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { exportThread } from "../../commands/thread/export.ts";
import { createConsoleChannel } from "../../src/channels/console/console-channel.ts";
import type { Services } from "../../src/core/commands/services.ts";
import { startBot as startCore } from "../core/support/bot-harness.ts";
import { seedTurns } from "../core/support/transcripts.ts";
import { ids } from "../fakes/fake-discord.ts";
import type { FakeOpenClawGateway } from "../fakes/fake-gateway.ts";
import { startBot as startDiscord } from "./discord/support/bot-world.ts";
import { slashAnswered } from "./discord/support/harness.ts";
import { botSays, startBot as startTelegram } from "./telegram/support/bot-world.ts";
import { alice, aliceDm } from "./telegram/support/harness.ts";

function exportIn(services: Services, conversation: string, format?: "json") {
  return exportThread.run({
    args: { format: format ?? "markdown", name: undefined },
    place: { conversation, direct: false },
    sender: { id: "test" },
    reach: { kind: "here" },
    services,
  });
}

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
    const reply = await exportIn(world.bot.services, `telegram:${aliceDm.id}`);
    expect(reply.text).toBe('Exported 8 message(s) of "Budget" as thread-budget.md.');
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
    const reply = await exportIn(world.bot.services, `discord:${ids.guild}:${thread?.id}`, "json");
    expect(reply.text).toBe('Exported 8 message(s) of "budget" as thread-budget.json.');
    const posted = world.fake.messagesIn(thread?.id ?? "").find((m) => m.attachments.length > 0);
    expect(posted?.attachments).toMatchObject([{ filename: "thread-budget.json", contentType: "application/json" }]);
    const parsed = JSON.parse(Buffer.from(posted?.attachments[0]?.bytes ?? []).toString("utf8")) as { rows: unknown[] };
    expect(parsed.rows).toHaveLength(8);
  });

  it("console: the file is saved beside the store and the terminal says where; without a folder, one line", async () => {
    const world = await startCore();
    const dir = mkdtempSync(join(tmpdir(), "tk-export-"));
    dirs.push(dir);
    const terminals = createConsoleChannel({ app: world.bot.app, user: "op", filesDir: join(dir, "files") });
    world.bot.channels.add(terminals.channel);
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    const input = new PassThrough();
    const terminal = terminals.attach("main", input, output);
    terminal.start();
    await world.command("console:main", "/thread Budget");
    seed(world.gw, "budget");
    await exportIn(world.bot.services, "console:main");
    const saved = join(dir, "files", "thread-budget.md");
    expect(printed).toContain(`📎 saved thread-budget.md (text/markdown, `);
    expect(readFileSync(saved, "utf8")).toMatch(/^# Transcript of "Budget"/);
    input.end();
    await terminal.closed;

    world.bot.channels.add(createConsoleChannel({ app: world.bot.app, user: "op" }).channel);
    await expect(exportIn(world.bot.services, "console:main")).rejects.toThrow(
      "Files cannot be sent in this conversation, so the transcript cannot be exported here.",
    );
  });
});
