import { readdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { InboundFile } from "../../src/core/turns/attachments.ts";
import { FileBlobStore, MemoryBlobStore } from "../../src/store/blobs.ts";
import { chatSends, quiet, sleep, startBot, startGateway, tempDir, until } from "./support/bot-harness.ts";

const A = "console:a";
const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489", "hex");
const PDF = Buffer.from("%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "latin1");

/** A file as a channel would hand it over; `fail` makes the platform refuse the download. */
function file(kind: "image" | "file", name: string, bytes: Buffer, extra: Partial<InboundFile> = {}): InboundFile {
  return {
    kind,
    fileName: name,
    mimeType: kind === "image" ? "image/png" : "application/pdf",
    size: bytes.length,
    platform: "Telegram",
    download: async () =>
      (async function* () {
        yield bytes;
      })(),
    ...extra,
  };
}

type Sent = { attachments?: { type: string; mimeType: string; fileName: string; content: string }[] };

function sentAttachments(gw: Parameters<typeof chatSends>[0]) {
  return gw.requestsOf("chat.send").map((r) => (r.params as Sent).attachments);
}

describe("files to the agent", () => {
  it("a photo with a caption and a PDF go in one chat.send, base64, in order; the files are gone after the turn", async () => {
    const blobs = new MemoryBlobStore();
    const world = await startBot({ blobs });
    await world.command(A, "/thread files");
    const reply = await world.message(A, "what is in this?", {
      files: [file("image", "photo.png", PNG), file("file", "report.pdf", PDF)],
    });
    expect(reply).toBeUndefined();
    await world.says(A, "ECHO: what is in this?");
    expect(chatSends(world.gw).map((s) => s.message)).toEqual(["what is in this?"]);
    expect(sentAttachments(world.gw)).toEqual([
      [
        { type: "image", mimeType: "image/png", fileName: "photo.png", content: PNG.toString("base64") },
        { type: "file", mimeType: "application/pdf", fileName: "report.pdf", content: PDF.toString("base64") },
      ],
    ]);
    await quiet(world);
    expect(blobs.blobs.size).toBe(0);
  });

  it("refuses a file over the agent's image limit before downloading it: one line, nothing sent or kept", async () => {
    const blobs = new MemoryBlobStore();
    const world = await startBot({ blobs });
    await world.command(A, "/thread big");
    let downloaded = false;
    const big = file("image", "huge.png", PNG, {
      size: 7 * 1024 * 1024,
      download: async () => {
        downloaded = true;
        throw new Error("never");
      },
    });
    const before = structuredClone(world.store.state);
    const reply = await world.message(A, "look", { files: [big] });
    expect(reply?.text).toBe(
      "huge.png (7 MB) is over 6 MB, the most the agent takes for an image; nothing of this message was sent.",
    );
    expect(downloaded).toBe(false);
    expect(world.store.state).toEqual(before);
    expect(chatSends(world.gw)).toEqual([]);
  });

  it("refuses what the platform caps (Telegram's 20 MB), a size found only while downloading, empty and corrupt files", async () => {
    const blobs = new MemoryBlobStore();
    const world = await startBot({ blobs });
    await world.command(A, "/thread bad");
    const cases: [InboundFile, string][] = [
      [
        file("file", "video.mp4", PDF, { size: 6_000_000, platformMaxBytes: 5 * 1024 * 1024 }),
        "video.mp4 (5.7 MB) is over 5 MB, the most Telegram lets a bot download; nothing of this message was sent.",
      ],
      [
        file("image", "grows.png", Buffer.concat([PNG, Buffer.alloc(7 * 1024 * 1024)]), { size: undefined }),
        "grows.png is over 6 MB, the most the agent takes for an image; nothing of this message was sent.",
      ],
      [file("file", "empty.txt", Buffer.alloc(0)), "empty.txt is empty; nothing of this message was sent."],
      [
        file("image", "broken.png", Buffer.from("not a picture at all")),
        "broken.png is not a picture the agent can read (PNG, JPEG, GIF or WebP); nothing of this message was sent.",
      ],
      [
        file("file", "gone.pdf", PDF, {
          download: async () => {
            throw new Error("400: Bad Request: file is too old");
          },
        }),
        "Could not fetch gone.pdf from Telegram (it may have expired or been deleted); nothing of this message was sent.",
      ],
    ];
    for (const [bad, answer] of cases) {
      // The good file before the bad one must not be kept either.
      expect((await world.message(A, "caption", { files: [file("image", "ok.png", PNG), bad] }))?.text).toBe(answer);
    }
    expect(blobs.blobs.size).toBe(0);
    expect(world.store.state.journal).toEqual({});
    expect(chatSends(world.gw)).toEqual([]);
  });

  it("a message with files written while the gateway is away is queued with them and sent with them on reconnect", async () => {
    const down = await startGateway();
    const world = await startBot({ gw: down });
    await world.command(A, "/thread queued");
    const port = down.port;
    await down.stop();
    await until(() => !world.client.connected, "the bot sees the gateway gone");
    await world.message(A, "later", { files: [file("image", "p.png", PNG)] });
    const up = await startGateway({ port });
    await world.says(A, "ECHO: later", 10_000);
    expect(sentAttachments(up).map((a) => a?.map((x) => x.fileName))).toEqual([["p.png"]]);
  });

  it("a bot restart between journal and send: the turn goes once, with its files, from the blobs on disk", async () => {
    const dir = await tempDir();
    const storePath = `${dir}/threads.json`;
    const down = await startGateway();
    const first = await startBot({ gw: down, storePath, blobs: new FileBlobStore(`${dir}/attachments`) });
    await first.command(A, "/thread restart");
    const port = down.port;
    await down.stop();
    await until(() => !first.client.connected, "the bot sees the gateway gone");
    await first.message(A, "keep my file", { files: [file("file", "notes.pdf", PDF)] });
    // The bot goes with the turn journaled and unsent (as after a SIGKILL): its file is on disk.
    await first.stop();
    expect(await readdir(`${dir}/attachments`)).toHaveLength(1);
    const gw = await startGateway({ port });
    const second = await startBot({ gw, storePath, blobs: new FileBlobStore(`${dir}/attachments`) });
    await second.says(A, "ECHO: keep my file", 10_000);
    await quiet(second);
    expect(sentAttachments(gw)).toEqual([
      [{ type: "file", mimeType: "application/pdf", fileName: "notes.pdf", content: PDF.toString("base64") }],
    ]);
    for (let i = 0; i < 100 && (await readdir(`${dir}/attachments`)).length > 0; i++) await sleep(10);
    expect(await readdir(`${dir}/attachments`)).toEqual([]);
  });
});
