import { describe, expect, it } from "vitest";
import type { FakeMessage } from "../../fakes/fake-telegram.ts";
import { downloaded, pdfBytes, pngBytes } from "../support/files.ts";
import { gate } from "../support/recording-app.ts";
import { alice, aliceDm, forum, until, useHarness } from "./support/harness.ts";

const h = useHarness();

const jpeg = (tag: string) => Buffer.from(`\xff\xd8\xff\xe0 a photo of ${tag}`, "latin1");

describe("Telegram files to the agent", () => {
  it("hands over a photo's largest size with the caption as the text, downloaded through getFile", async () => {
    const sent = h.tg.userMessage(aliceDm.id, alice, "what does this receipt say?", {
      media: { kind: "photo", bytes: jpeg("a receipt") },
    });
    await until(() => h.app.messageCalls.length === 1, "the message");
    const invocation = h.app.messageCalls[0]!;
    const largest = sent.photo!.at(-1)!;
    expect(invocation).toMatchObject({ text: "what does this receipt say?", messageId: String(sent.message_id) });
    expect(invocation.attachments).toEqual([]);
    expect(invocation.files).toHaveLength(1);
    expect(invocation.files![0]).toMatchObject({
      kind: "image",
      fileName: `photo-${largest.file_unique_id}.jpg`,
      mimeType: "image/jpeg",
      size: jpeg("a receipt").length,
      platform: "Telegram",
      platformMaxBytes: 20 * 1024 * 1024,
    });
    expect(await downloaded(invocation.files![0])).toEqual(jpeg("a receipt"));
    expect(h.tg.sent("getFile").map((p) => p.file_id)).toEqual([largest.file_id]);
  });

  it("hands over an album as one message with every file, the caption of the part that has one", async () => {
    const parts = h.tg.album(
      aliceDm.id,
      alice,
      [1, 2, 3].map((n) => ({ kind: "photo" as const, bytes: jpeg(`page ${n}`) })),
      { caption: "three pages of the contract", captionIndex: 1 },
    );
    await until(() => h.app.messageCalls.length === 1, "the album");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.app.messageCalls).toHaveLength(1);
    const invocation = h.app.messageCalls[0]!;
    expect(invocation.text).toBe("three pages of the contract");
    expect(invocation.messageId).toBe(String(parts[0]!.message_id));
    expect(invocation.files?.map((f) => f.kind)).toEqual(["image", "image", "image"]);
    const bytes = await Promise.all(invocation.files!.map(downloaded));
    expect(bytes).toEqual([jpeg("page 1"), jpeg("page 2"), jpeg("page 3")]);
  });

  it("waits for an album's late parts, confirms none before the album was handled, lets nothing overtake it", async () => {
    const held = gate();
    h.app.onMessage = async (invocation) => {
      if (invocation.files?.length) await held.wait;
      return undefined;
    };
    const groupId = "9000000000000001";
    const part = (n: number, caption = "") =>
      h.tg.userMessage(aliceDm.id, alice, caption, {
        media: { kind: "document", bytes: pdfBytes(`part ${n}`), fileName: `part-${n}.pdf` },
        mediaGroupId: groupId,
      });
    part(1, "both parts");
    await new Promise((resolve) => setTimeout(resolve, 300));
    part(2);
    h.tg.userMessage(aliceDm.id, alice, "and one more thing");
    await until(() => h.app.messageCalls.length === 1, "the album");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.app.messageCalls.map((m) => m.text)).toEqual(["both parts"]);
    expect(h.app.messageCalls[0]!.files?.map((f) => f.fileName)).toEqual(["part-1.pdf", "part-2.pdf"]);
    // Neither part is confirmed to Telegram while the album is being handled: a crash now gets both again.
    const parts = h.tg.updates.pending().filter((u) => (u.message as FakeMessage).media_group_id === groupId);
    expect(parts).toHaveLength(2);
    held.open();
    await until(() => h.app.messageCalls.length === 2, "the text after the album");
    expect(h.app.messageCalls.map((m) => m.text)).toEqual(["both parts", "and one more thing"]);
    await h.tg.waitForConfirmed(Math.max(...parts.map((u) => u.update_id)));
  });

  it("hands over a document, an image sent as a file, a voice note, audio, video, a video note and a GIF", async () => {
    const kinds = ["document", "voice", "audio", "video", "video_note", "animation"] as const;
    for (const kind of kinds) h.tg.userMessage(aliceDm.id, alice, "", { media: kind });
    h.tg.userMessage(aliceDm.id, alice, "as a file", {
      media: { kind: "document", bytes: pngBytes(64), fileName: "scan.png", mimeType: "image/png" },
    });
    await until(() => h.app.messageCalls.length === kinds.length + 1, "every message");
    const files = h.app.messageCalls.map((m) => m.files?.[0]);
    expect(files.map((f) => [f?.kind, f?.mimeType])).toEqual([
      ["file", "application/pdf"],
      ["file", "audio/ogg"],
      ["file", "audio/mpeg"],
      ["file", "video/mp4"],
      ["file", "video/mp4"],
      ["file", "video/mp4"],
      ["image", "image/png"],
    ]);
    expect(files[0]?.fileName).toBe("receipt.pdf");
    expect(files[1]?.fileName).toMatch(/^voice-.+\.ogg$/);
    expect(files[4]?.fileName).toMatch(/^video-note-.+\.mp4$/);
    expect((await downloaded(files[0])).subarray(0, 5).toString()).toBe("%PDF-");
    expect(await downloaded(files[6])).toEqual(Buffer.from(pngBytes(64)));
  });

  it("rejects the download of a file over 20 MB with Telegram's getFile error, in a topic too", async () => {
    const topic = h.tg.createTopic(forum.id, "archive", alice);
    const size = 21 * 1024 * 1024;
    h.tg.userMessage(forum.id, alice, "the full backup", {
      topicId: topic.id,
      media: { kind: "document", size, fileName: "backup.zip", mimeType: "application/zip" },
    });
    await until(() => h.app.messageCalls.length === 1, "the message");
    const invocation = h.app.messageCalls[0]!;
    expect(invocation.place.conversation).toBe(`telegram:${forum.id}:topic:${topic.id}`);
    expect(invocation.files![0]).toMatchObject({ fileName: "backup.zip", size });
    const error = await invocation.files![0]!.download().catch((e: unknown) => e);
    // The one refusal the core words itself (it names the limit): BAD_INPUT, marked too large.
    expect(error).toMatchObject({ code: "BAD_INPUT", details: { tooLarge: true } });
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(h.tg.token);
  });

  it("still names what cannot reach the agent, and sends a sticker's caption nowhere", async () => {
    h.tg.userMessage(aliceDm.id, alice, "", { media: "sticker" });
    await until(() => h.app.messageCalls.length === 1, "the sticker");
    expect(h.app.messageCalls[0]).toMatchObject({ text: "", attachments: ["a sticker"], files: [] });
  });
});
