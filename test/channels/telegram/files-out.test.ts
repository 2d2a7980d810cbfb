import { describe, expect, it } from "vitest";
import type { UploadedFile } from "../../fakes/fake-telegram.ts";
import { fileOf, pdfBytes, pngBytes, streamed } from "../support/files.ts";
import { alice, aliceDm, forum, startHarness, useHarness } from "./support/harness.ts";

const h = useHarness();
const dm = `telegram:${aliceDm.id}`;
const MB = 1024 * 1024;

describe("Telegram files from the agent", () => {
  it("posts an image as a photo, uploaded with its exact bytes", async () => {
    const bytes = pngBytes(70);
    const id = await h.channel.sendFile!(
      dm,
      fileOf({ kind: "image", fileName: "chart.png", mimeType: "image/png", bytes }),
    );
    const [call] = h.tg.sent("sendPhoto");
    expect((call!.photo as UploadedFile).filename).toBe("chart.png");
    const stored = h.tg.world.chat(aliceDm.id).messages.get(Number(id))!.message;
    expect(stored.from?.id).toBe(h.tg.bot.id);
    expect(h.tg.fileBytes(stored.photo!.at(-1)!.file_id)).toEqual(Buffer.from(bytes));
    expect(h.channel.maxFileBytes).toBe(50 * MB);
  });

  it("posts a PDF as a document under its name, in the conversation's topic", async () => {
    const topic = h.tg.createTopic(forum.id, "reports", alice);
    const bytes = pdfBytes();
    const conversation = `telegram:${forum.id}:topic:${topic.id}`;
    const id = await h.channel.sendFile!(
      conversation,
      fileOf({
        kind: "file",
        fileName: "Q3 report.pdf",
        mimeType: "application/pdf",
        bytes,
      }),
    );
    const stored = h.tg.world.chat(forum.id).messages.get(Number(id))!.message;
    expect(stored.message_thread_id).toBe(topic.id);
    expect(stored.document).toMatchObject({ file_name: "Q3 report.pdf", mime_type: "application/pdf" });
    expect(h.tg.fileBytes(stored.document!.file_id)).toEqual(Buffer.from(bytes));
    expect(h.tg.sent("sendPhoto")).toEqual([]);
  });

  it("makes an unsafe name safe before it reaches the multipart header", async () => {
    const bytes = pdfBytes();
    await h.channel.sendFile!(
      dm,
      fileOf({ kind: "file", fileName: "../../x;\r\ny.pdf", mimeType: "application/pdf", bytes }),
    );
    expect((h.tg.sent("sendDocument")[0]!.document as UploadedFile).filename).toBe("x___y.pdf");
  });

  it("sends an image over Telegram's 10 MB photo limit, or one it refuses as a photo, as a document", async () => {
    const big = pngBytes(10 * MB + 1);
    await h.channel.sendFile!(dm, fileOf({ kind: "image", fileName: "huge.png", mimeType: "image/png", bytes: big }));
    expect(h.tg.sent("sendPhoto")).toEqual([]);
    expect(h.tg.sent("sendDocument")).toHaveLength(1);
    h.tg.faults.push({ method: "sendPhoto", code: 400, description: "Bad Request: PHOTO_INVALID_DIMENSIONS" });
    const tall = pngBytes(500, 2);
    const id = await h.channel.sendFile!(
      dm,
      fileOf({
        kind: "image",
        fileName: "tall.png",
        mimeType: "image/png",
        bytes: tall,
      }),
    );
    const stored = h.tg.world.chat(aliceDm.id).messages.get(Number(id))!.message;
    expect(h.tg.fileBytes(stored.document!.file_id)).toEqual(Buffer.from(tall));
    expect(h.logger.complaints("telegram:")).toEqual([]);
  });

  it("streams a file read in pieces, and uploads all of it again after a 429", async () => {
    const bytes = pngBytes(MB + 5);
    const content = streamed(bytes);
    const tooMany = { code: 429, description: "Too Many Requests: retry after 0", parameters: { retry_after: 0 } };
    h.tg.faults.push({ method: "sendDocument", ...tooMany });
    const file = { kind: "file" as const, fileName: "thread-long.md", mimeType: "text/markdown", content };
    const id = await h.channel.sendFile!(dm, file);
    const attempts = h.tg.calls.filter((c) => c.method === "sendDocument");
    expect(attempts.map((c) => c.error?.code)).toEqual([429, undefined]);
    // Each attempt reads the content afresh and carries the whole file.
    expect(content.opened).toBe(2);
    for (const attempt of attempts) expect((attempt.params.document as UploadedFile).bytes).toEqual(Buffer.from(bytes));
    const stored = h.tg.world.chat(aliceDm.id).messages.get(Number(id))!.message;
    expect(stored.document).toMatchObject({ file_name: "thread-long.md", file_size: bytes.byteLength });
    expect(h.tg.fileBytes(stored.document!.file_id)).toEqual(Buffer.from(bytes));
  });

  it("refuses a file over 50 MB with Telegram's 413, as a PLATFORM error", async () => {
    const bytes = new Uint8Array(50 * MB + 1);
    const sending = h.channel.sendFile!(
      dm,
      fileOf({ kind: "file", fileName: "big.bin", mimeType: "application/zip", bytes }),
    );
    await expect(sending).rejects.toMatchObject({
      code: "PLATFORM",
      message: "Telegram refused to send a file: Request Entity Too Large",
    });
    expect(h.tg.calls.find((c) => c.method === "sendDocument")?.error).toEqual({
      code: 413,
      description: "Request Entity Too Large",
    });
    expect(h.tg.botMessages(aliceDm.id)).toEqual([]);
  });
});

describe("Telegram files and text under the throttler", () => {
  it("keeps a file in its place among the texts of a chat", async () => {
    const harness = await startHarness({
      limits: { throttle: { out: { maxConcurrent: 1, minTime: 50 }, group: { maxConcurrent: 1, minTime: 50 } } },
    });
    const { channel } = harness;
    const file = fileOf({ kind: "image" as const, fileName: "chart.png", mimeType: "image/png", bytes: pngBytes(70) });
    // Queued behind three texts: a photo that skipped the chat's queue would arrive before the second.
    await Promise.all([
      channel.send(dm, { text: "one" }),
      channel.send(dm, { text: "two" }),
      channel.send(dm, { text: "three" }),
      channel.sendFile!(dm, file),
      channel.send(dm, { text: "after the chart" }),
    ]);
    const shown = harness.tg.botMessages(aliceDm.id).map((m) => m.message.text ?? (m.message.photo ? "[photo]" : "?"));
    expect(shown).toEqual(["one", "two", "three", "[photo]", "after the chart"]);
  });
});
