import { describe, expect, it } from "vitest";
import { ids } from "../../fakes/fake-discord.ts";
import { downloaded, pdfBytes, pngBytes } from "../support/files.ts";
import { startHarness } from "./support/harness.ts";

describe("Discord files to the agent", () => {
  it("hands over a message's attachments with its text, each downloaded from the CDN url as a stream", async () => {
    const { fake, app } = await startHarness();
    const png = pngBytes(120);
    const sent = fake.userMessage({
      userId: ids.alice,
      channelId: ids.activeThread,
      content: "add these to the budget",
      attachments: [
        { filename: "receipt.png", contentType: "image/png", bytes: png },
        { filename: "notes.pdf", contentType: "application/pdf", bytes: pdfBytes() },
        { filename: "drawing.svg", contentType: "image/svg+xml", bytes: Buffer.from("<svg/>") },
      ],
    });
    await fake.waitFor(() => app.messageCalls[0], { what: "the message" });
    const invocation = app.messageCalls[0]!;
    expect(invocation).toMatchObject({ text: "add these to the budget", messageId: sent.id, attachments: [] });
    expect(invocation.files?.map(({ download: _, ...rest }) => rest)).toEqual([
      { kind: "image", fileName: "receipt.png", mimeType: "image/png", size: 120, platform: "Discord" },
      {
        kind: "file",
        fileName: "notes.pdf",
        mimeType: "application/pdf",
        size: pdfBytes().length,
        platform: "Discord",
      },
      { kind: "file", fileName: "drawing.svg", mimeType: "image/svg+xml", size: 6, platform: "Discord" },
    ]);
    expect(fake.cdnRequests).toEqual([]);
    expect(await downloaded(invocation.files?.[0])).toEqual(Buffer.from(png));
    expect(await downloaded(invocation.files?.[1])).toEqual(Buffer.from(pdfBytes()));
    expect(fake.cdnRequests.map((r) => r.status)).toEqual([200, 200]);
  });

  it("hands over a file sent alone in a DM, and a typed /command with a file as a message", async () => {
    const { fake, app } = await startHarness();
    fake.userMessage({
      userId: ids.bob,
      dm: true,
      content: "",
      attachments: [{ filename: "a.ogg", contentType: "audio/ogg" }],
    });
    fake.userMessage({
      userId: ids.bob,
      dm: true,
      content: "/thread x",
      attachments: [{ filename: "b.txt", contentType: "text/plain" }],
    });
    await fake.waitFor(() => app.messageCalls.length === 2, { what: "both messages" });
    expect(app.commandCalls).toEqual([]);
    expect(app.messageCalls.map((m) => [m.place.conversation, m.text, m.files?.[0]?.fileName])).toEqual([
      [`discord:dm:${ids.bob}`, "", "a.ogg"],
      [`discord:dm:${ids.bob}`, "/thread x", "b.txt"],
    ]);
    expect((await downloaded(app.messageCalls[0]!.files?.[0])).subarray(0, 4).toString()).toBe("OggS");
  });

  it("rejects the download of a file Discord no longer serves (deleted, or its link expired)", async () => {
    const { fake, app } = await startHarness();
    const sent = fake.userMessage({
      userId: ids.alice,
      channelId: ids.general,
      content: "old one",
      attachments: [{ filename: "gone.pdf", contentType: "application/pdf" }],
    });
    sent.attachments[0]!.expired = true;
    await fake.waitFor(() => app.messageCalls[0], { what: "the message" });
    await expect(app.messageCalls[0]!.files![0]!.download()).rejects.toMatchObject({
      code: "PLATFORM",
      message: "Discord refused to send the file (HTTP 404).",
    });
  });

  it("declares a big file's size, so the core can refuse it before downloading; stickers stay named", async () => {
    const { fake, app } = await startHarness();
    const size = 30 * 1024 * 1024;
    fake.userMessage({
      userId: ids.alice,
      channelId: ids.general,
      content: "the raw footage",
      attachments: [{ filename: "raw.mov", contentType: "video/quicktime", size }],
    });
    fake.userMessage({ userId: ids.alice, channelId: ids.general, content: "", stickers: ["thumbs up", "party"] });
    await fake.waitFor(() => app.messageCalls.length === 2, { what: "both messages" });
    expect(app.messageCalls[0]!.files?.[0]).toMatchObject({ kind: "file", size });
    // Discord puts no ceiling of its own on what a bot downloads.
    expect(app.messageCalls[0]!.files?.[0]?.platformMaxBytes).toBeUndefined();
    expect(app.messageCalls[1]).toMatchObject({ attachments: ["2 stickers"], files: [] });
    expect(fake.cdnRequests).toEqual([]);
  });
});
