import { describe, expect, it } from "vitest";
import { ids } from "../../fakes/fake-discord.ts";
import type { UploadedFile } from "../../fakes/multipart.ts";
import { fileOf, pdfBytes, pngBytes, streamed } from "../support/files.ts";
import { startHarness } from "./support/harness.ts";

const thread = `discord:${ids.guild}:${ids.activeThread}`;
const MB = 1024 * 1024;

describe("Discord files from the agent", () => {
  it("posts an image and a PDF as messages with one attachment each, the exact bytes uploaded", async () => {
    const { fake, discord } = await startHarness();
    const png = pngBytes(70);
    const imageId = await discord.channel.sendFile!(
      thread,
      fileOf({
        kind: "image",
        fileName: "chart.png",
        mimeType: "image/png",
        bytes: png,
      }),
    );
    const pdfId = await discord.channel.sendFile!(
      thread,
      fileOf({
        kind: "file",
        fileName: "Q3 report.pdf",
        mimeType: "application/pdf",
        bytes: pdfBytes(),
      }),
    );
    const [image, pdf] = [fake.world.messages.get(imageId), fake.world.messages.get(pdfId)];
    expect(image?.author.id).toBe(ids.bot);
    expect(image?.attachments).toMatchObject([{ filename: "chart.png", contentType: "image/png", size: 70 }]);
    expect(Buffer.from(image!.attachments[0]!.bytes!)).toEqual(Buffer.from(png));
    expect(pdf?.attachments).toMatchObject([{ filename: "Q3 report.pdf", contentType: "application/pdf" }]);
    expect(Buffer.from(pdf!.attachments[0]!.bytes!)).toEqual(Buffer.from(pdfBytes()));
    expect(discord.channel.maxFileBytes).toBe(10 * MB);
  });

  it("reads a streamed file once into the upload, and uploads all of it again after a 429", async () => {
    const { fake, discord } = await startHarness();
    const bytes = pngBytes(MB + 5);
    const content = streamed(bytes);
    fake.failNext({ method: "POST", path: new RegExp(`^/channels/${ids.activeThread}/messages$`), retryAfter: 0.05 });
    const file = { kind: "file" as const, fileName: "thread-long.md", mimeType: "text/markdown", content };
    const id = await discord.channel.sendFile!(thread, file);
    const attempts = fake.callsTo("POST", /messages$/);
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    // Read once into a Blob, which goes again whole with @discordjs/rest's retry.
    expect(content.opened).toBe(1);
    for (const attempt of attempts) {
      const [sent] = (attempt.body as { _files: UploadedFile[] })._files;
      expect(sent?.bytes).toEqual(Buffer.from(bytes));
    }
    const posted = fake.world.messages.get(id);
    expect(posted?.attachments).toMatchObject([{ filename: "thread-long.md", size: bytes.byteLength }]);
    expect(Buffer.from(posted!.attachments[0]!.bytes!)).toEqual(Buffer.from(bytes));
  });

  it("refuses a file over Discord's 10 MB with its 413 (40005), as a PLATFORM error", async () => {
    const { fake, discord } = await startHarness();
    const bytes = new Uint8Array(10 * MB + 1);
    const sending = discord.channel.sendFile!(
      thread,
      fileOf({
        kind: "file",
        fileName: "big.zip",
        mimeType: "application/zip",
        bytes,
      }),
    );
    await expect(sending).rejects.toMatchObject({
      code: "PLATFORM",
      message: "Discord refused to send a file.",
      details: { code: 40005, status: 413 },
    });
    expect(fake.messagesIn(ids.activeThread)).toEqual([]);
  });

  it("keeps a file in its place among the texts of a conversation", async () => {
    const { fake, discord } = await startHarness();
    const file = fileOf({ kind: "image" as const, fileName: "chart.png", mimeType: "image/png", bytes: pngBytes(70) });
    await Promise.all([
      discord.channel.send(thread, { text: "one" }),
      discord.channel.send(thread, { text: "two" }),
      discord.channel.sendFile!(thread, file),
      discord.channel.send(thread, { text: "after the chart" }),
    ]);
    const shown = fake.messagesIn(ids.activeThread).map((m) => m.content || m.attachments[0]?.filename);
    expect(shown).toEqual(["one", "two", "chart.png", "after the chart"]);
  });

  it("posts into a DM through the user's DM channel", async () => {
    const { fake, discord } = await startHarness();
    await discord.channel.sendFile!(
      `discord:dm:${ids.bob}`,
      fileOf({
        kind: "file",
        fileName: "notes.txt",
        mimeType: "text/plain",
        bytes: Buffer.from("hello"),
      }),
    );
    const [message] = fake.messagesIn(fake.dmChannelId(ids.bob));
    expect(message?.attachments[0]).toMatchObject({ filename: "notes.txt", size: 5 });
  });
});
