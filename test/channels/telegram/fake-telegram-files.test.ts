import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeTelegram } from "../../fakes/fake-telegram.ts";

let tg: FakeTelegram;
beforeEach(async () => {
  tg = await FakeTelegram.start();
  tg.addChat({ id: 1, type: "private", first_name: "A" });
});
afterEach(async () => {
  await tg.stop();
});

const alice = { id: 1, is_bot: false, first_name: "A" };
const MB = 1024 * 1024;

interface Answer {
  ok: boolean;
  result?: Record<string, unknown>;
  error_code?: number;
  description?: string;
}

async function call(method: string, body: Record<string, unknown> | FormData): Promise<Answer> {
  const json = !(body instanceof FormData);
  const response = await fetch(`${tg.apiRoot}/bot${tg.token}/${method}`, {
    method: "POST",
    ...(json ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : { body }),
  });
  return (await response.json()) as Answer;
}

function upload(field: string, bytes: Uint8Array, name: string): FormData {
  const form = new FormData();
  form.set("chat_id", "1");
  form.set(field, new Blob([bytes]), name);
  return form;
}

describe("FakeTelegram files", () => {
  it("keeps a photo in three sizes, smallest first, and serves each through getFile and the file route", async () => {
    const bytes = Buffer.from("\xff\xd8\xff the photo", "latin1");
    const message = tg.userMessage(1, alice, "look", { media: { kind: "photo", bytes } });
    expect(message.caption).toBe("look");
    expect(message.photo?.map((p) => p.width)).toEqual([90, 320, 1280]);
    const largest = message.photo!.at(-1)!;
    const file = await call("getFile", { file_id: largest.file_id });
    expect(file.result).toMatchObject({ file_id: largest.file_id, file_size: bytes.length });
    const path = String(file.result?.file_path);
    expect(path).toMatch(/^photos\/file_\d+\.jpg$/);
    const download = await fetch(`${tg.apiRoot}/file/bot${tg.token}/${path}`);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    const unknown = await fetch(`${tg.apiRoot}/file/bot${tg.token}/photos/nothing.jpg`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ ok: false, error_code: 404, description: "Not Found" });
    expect((await fetch(`${tg.apiRoot}/file/botwrong/${path}`)).status).toBe(404);
  });

  it("answers getFile with Telegram's errors for a file over 20 MB and an unknown file_id", async () => {
    const message = tg.userMessage(1, alice, "", { media: { kind: "document", size: 20 * MB + 1 } });
    expect(message.document).toMatchObject({ file_size: 20 * MB + 1, file_name: "receipt.pdf" });
    expect(await call("getFile", { file_id: message.document!.file_id })).toEqual({
      ok: false,
      error_code: 400,
      description: "Bad Request: file is too big",
    });
    expect(await call("getFile", { file_id: "nope" })).toMatchObject({ error_code: 400 });
  });

  it("sends an album as messages sharing a media_group_id, the caption on one of them", () => {
    const parts = tg.album(1, alice, ["photo", "photo", "document"], { caption: "three", captionIndex: 2 });
    expect(new Set(parts.map((p) => p.media_group_id)).size).toBe(1);
    expect(parts.map((p) => p.caption)).toEqual([undefined, undefined, "three"]);
    expect(tg.updates.pending()).toHaveLength(3);
  });

  it("takes multipart uploads: sendPhoto up to 10 MB, sendDocument up to 50 MB, with Telegram's errors past them", async () => {
    const photo = await call("sendPhoto", upload("photo", Buffer.from("\x89PNG small"), "a.png"));
    expect(photo.ok).toBe(true);
    const sizes = photo.result?.photo as { file_id: string }[];
    expect(tg.fileBytes(sizes[0]!.file_id)).toEqual(Buffer.from("\x89PNG small"));
    expect(await call("sendPhoto", upload("photo", new Uint8Array(10 * MB + 1), "big.png"))).toEqual({
      ok: false,
      error_code: 400,
      description: "Bad Request: PHOTO_SAVE_FILE_INVALID",
    });
    const document = await call("sendDocument", upload("document", Buffer.from("%PDF-1.4"), "r.pdf"));
    expect(document.result?.document).toMatchObject({ file_name: "r.pdf", mime_type: "application/pdf" });
    expect(await call("sendDocument", upload("document", new Uint8Array(50 * MB + 1), "huge.bin"))).toEqual({
      ok: false,
      error_code: 413,
      description: "Request Entity Too Large",
    });
    expect(await call("sendDocument", { chat_id: 1 })).toMatchObject({ error_code: 400 });
  });
});
