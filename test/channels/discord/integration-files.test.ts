import { describe, expect, it } from "vitest";
import { ids } from "../../fakes/fake-discord.ts";
import { pdfBytes, pngBytes } from "../support/files.ts";
import { discordSays } from "../support/says.ts";
import { type BotWorld, startBot } from "./support/bot-world.ts";
import { slashAnswered } from "./support/harness.ts";

interface SentAttachment {
  type: string;
  mimeType: string;
  fileName: string;
  content: string;
}

/** What chat.send carried: the message and its attachments (content decoded). */
function sends(world: BotWorld) {
  return world.gw.requestsOf("chat.send").map((r) => {
    const params = r.params as { message: string; attachments?: SentAttachment[] };
    const attachments = (params.attachments ?? []).map(({ content, ...rest }) => ({
      ...rest,
      bytes: Buffer.from(content, "base64"),
    }));
    return { message: params.message, attachments };
  });
}

/** The whole bot, with a thread opened from #general; resolves with the thread's channel id. */
async function bound(name: string): Promise<{ world: BotWorld; threadId: string }> {
  const world = await startBot();
  await slashAnswered(world.fake, { userId: ids.alice, channelId: ids.general, name: "thread", options: { name } });
  const thread = [...world.fake.world.channels.values()].find((c) => c.name === name);
  if (!thread) throw new Error("no Discord thread");
  return { world, threadId: thread.id };
}

describe("discord files with the real core", () => {
  it("sends a message's image and PDF to the agent with its text, and answers", async () => {
    const { world, threadId } = await bound("receipts");
    const png = pngBytes(300);
    world.fake.userMessage({
      userId: ids.alice,
      channelId: threadId,
      content: "add these to the budget",
      attachments: [
        { filename: "receipt.png", contentType: "image/png", bytes: png },
        { filename: "notes.pdf", contentType: "application/pdf", bytes: pdfBytes() },
      ],
    });
    await discordSays(world.fake, threadId, "ECHO: add these to the budget");
    expect(sends(world)).toEqual([
      {
        message: "add these to the budget",
        attachments: [
          { type: "image", mimeType: "image/png", fileName: "receipt.png", bytes: Buffer.from(png) },
          { type: "file", mimeType: "application/pdf", fileName: "notes.pdf", bytes: Buffer.from(pdfBytes()) },
        ],
      },
    ]);
  });

  it("answers a file too big for the agent, or one Discord no longer serves, with one line and sends nothing", async () => {
    const { world, threadId } = await bound("footage");
    world.fake.userMessage({
      userId: ids.alice,
      channelId: threadId,
      content: "the raw footage",
      attachments: [{ filename: "raw.mov", contentType: "video/quicktime", size: 30 * 1024 * 1024 }],
    });
    await discordSays(world.fake, threadId, /^raw\.mov \(30 MB\) is over .+; nothing of this message was sent\.$/);
    expect(world.fake.cdnRequests).toEqual([]);
    const old = world.fake.userMessage({
      userId: ids.alice,
      channelId: threadId,
      content: "an old one",
      attachments: [{ filename: "gone.pdf", contentType: "application/pdf" }],
    });
    old.attachments[0]!.expired = true;
    await discordSays(
      world.fake,
      threadId,
      /^Could not fetch gone\.pdf from Discord .*nothing of this message was sent\.$/,
    );
    expect(sends(world)).toEqual([]);
  });
});
