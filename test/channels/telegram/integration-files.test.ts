import { describe, expect, it } from "vitest";
import { pdfBytes } from "../support/files.ts";
import { type BotWorld, botSays, startBot } from "./support/bot-world.ts";
import { alice, aliceDm } from "./support/harness.ts";

interface SentAttachment {
  type: string;
  mimeType: string;
  fileName: string;
  content: string;
}

const jpeg = (tag: string) => Buffer.from(`\xff\xd8\xff\xe0 a photo of ${tag}`, "latin1");

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

async function bound(name: string): Promise<BotWorld> {
  const world = await startBot();
  world.tg.userMessage(aliceDm.id, alice, `/thread ${name}`);
  await botSays(world, aliceDm.id, undefined, /Created thread/);
  return world;
}

describe("telegram files with the real core", () => {
  it("sends a photo with its caption to the agent and answers; the file is gone once the turn closed", async () => {
    const world = await bound("receipts");
    const sent = world.tg.userMessage(aliceDm.id, alice, "what does this receipt say?", {
      media: { kind: "photo", bytes: jpeg("a receipt") },
    });
    await botSays(world, aliceDm.id, undefined, "ECHO: what does this receipt say?");
    const largest = sent.photo!.at(-1)!;
    expect(sends(world)).toEqual([
      {
        message: "what does this receipt say?",
        attachments: [
          {
            type: "image",
            mimeType: "image/jpeg",
            fileName: `photo-${largest.file_unique_id}.jpg`,
            bytes: jpeg("a receipt"),
          },
        ],
      },
    ]);
    await world.tg.waitUntil(() => Object.keys(world.store.state.journal).length === 0 || undefined, {
      what: "the turn to close",
    });
  });

  it("sends an album of three photos as one message with three files", async () => {
    const world = await bound("pages");
    const photos = [1, 2, 3].map((n) => ({ kind: "photo" as const, bytes: jpeg(`page ${n}`) }));
    world.tg.album(aliceDm.id, alice, photos, { caption: "the contract" });
    await botSays(world, aliceDm.id, undefined, "ECHO: the contract");
    const [only, ...others] = sends(world);
    expect(others).toEqual([]);
    expect(only?.attachments.map((a) => a.bytes)).toEqual([jpeg("page 1"), jpeg("page 2"), jpeg("page 3")]);
  });

  it("sends a document and a voice note", async () => {
    const world = await bound("docs");
    world.tg.userMessage(aliceDm.id, alice, "summarise", {
      media: { kind: "document", bytes: pdfBytes(), fileName: "q3.pdf", mimeType: "application/pdf" },
    });
    await botSays(world, aliceDm.id, undefined, "ECHO: summarise");
    world.tg.userMessage(aliceDm.id, alice, "", { media: "voice" });
    await world.tg.waitUntil(() => sends(world).length === 2 || undefined, { what: "the voice note" });
    const [document, voice] = sends(world);
    expect(document?.attachments).toEqual([
      { type: "file", mimeType: "application/pdf", fileName: "q3.pdf", bytes: Buffer.from(pdfBytes()) },
    ]);
    expect(voice?.message).toBe("");
    expect(voice?.attachments[0]).toMatchObject({ type: "file", mimeType: "audio/ogg" });
    expect(voice?.attachments[0]?.fileName).toMatch(/^voice-.+\.ogg$/);
  });

  it("answers a file over 20 MB with one line and sends nothing: at once when Telegram declared its size", async () => {
    const world = await bound("backups");
    const size = 21 * 1024 * 1024;
    world.tg.userMessage(aliceDm.id, alice, "keep this", {
      media: { kind: "document", size, fileName: "backup.zip", mimeType: "application/zip" },
    });
    await botSays(
      world,
      aliceDm.id,
      undefined,
      /^backup\.zip \(21 MB\) is over .+; nothing of this message was sent\.$/,
    );
    expect(world.tg.sent("getFile")).toEqual([]);
    world.tg.userMessage(aliceDm.id, alice, "and this", {
      media: { kind: "document", size, declareSize: false, fileName: "full.zip", mimeType: "application/zip" },
    });
    await botSays(
      world,
      aliceDm.id,
      undefined,
      /^full\.zip is over 20 MB, the most Telegram lets a bot download; nothing of this message was sent\.$/,
    );
    expect(world.tg.calls.filter((c) => c.method === "getFile").map((c) => c.error?.description)).toEqual([
      "Bad Request: file is too big",
    ]);
    expect(sends(world)).toEqual([]);
  });
});
