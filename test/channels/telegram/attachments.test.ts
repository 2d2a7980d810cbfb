import { Bot } from "grammy";
import type { Message } from "grammy/types";
import { describe, expect, it } from "vitest";
import { attachmentsOf } from "../../../src/channels/telegram/attachments.ts";
import { TelegramDownloads } from "../../../src/channels/telegram/downloads.ts";
import { filesOf } from "../../../src/channels/telegram/files.ts";

const base = { message_id: 1, date: 0, chat: { id: 1, type: "private", first_name: "A" } };
const file = { file_id: "f", file_unique_id: "u" };
// Describing files calls nothing: downloads start only when the core asks.
const downloads = new TelegramDownloads({ api: new Bot("1:unused").api, token: "1:unused" });

/** A message with the given extra fields, as Telegram would send it. */
function message(fields: Record<string, unknown>): Message {
  return { ...base, ...fields } as unknown as Message;
}

/** The descriptions of a message's files, without their download functions. */
function described(fields: Record<string, unknown>) {
  return filesOf(message(fields), downloads).map(({ download: _, ...rest }) => rest);
}

describe("telegram attachmentsOf", () => {
  it("names nothing for text, service messages and what goes to the agent", () => {
    expect(attachmentsOf(message({ text: "hi" }))).toEqual([]);
    expect(attachmentsOf(message({ pinned_message: message({ text: "x" }) }))).toEqual([]);
    expect(attachmentsOf(message({ photo: [{ ...file, width: 1, height: 1 }], caption: "look" }))).toEqual([]);
    expect(attachmentsOf(message({ document: file }))).toEqual([]);
    expect(attachmentsOf(message({ voice: file }))).toEqual([]);
  });

  it("names the one kind a message carries that cannot reach the agent, the specific one first", () => {
    // A venue also carries `location`: the specific name wins.
    expect(attachmentsOf(message({ venue: {}, location: {} }))).toEqual(["a location"]);
    expect(attachmentsOf(message({ sticker: file }))).toEqual(["a sticker"]);
    expect(attachmentsOf(message({ poll: {} }))).toEqual(["a poll"]);
    expect(attachmentsOf(message({ dice: {} }))).toEqual(["a dice roll"]);
    expect(attachmentsOf(message({ story: {} }))).toEqual(["a story"]);
    expect(attachmentsOf(message({ paid_media: {} }))).toEqual(["paid media"]);
    expect(attachmentsOf(message({ contact: {} }))).toEqual(["a contact"]);
  });
});

describe("telegram filesOf", () => {
  const common = { platform: "Telegram", platformMaxBytes: 20 * 1024 * 1024 };

  it("takes a photo's largest size as a JPEG image named after it", () => {
    const photo = [
      { file_id: "s", file_unique_id: "small", width: 90, height: 90, file_size: 900 },
      { file_id: "l", file_unique_id: "large", width: 1280, height: 960, file_size: 90_000 },
      { file_id: "m", file_unique_id: "medium", width: 320, height: 320, file_size: 9_000 },
    ];
    expect(described({ photo })).toEqual([
      { ...common, kind: "image", fileName: "photo-large.jpg", mimeType: "image/jpeg", size: 90_000 },
    ]);
  });

  it("passes documents as files under their own name and type, an image document as an image", () => {
    const pdf = { ...file, file_name: "q3.pdf", mime_type: "application/pdf", file_size: 5 };
    expect(described({ document: pdf })).toEqual([
      { ...common, kind: "file", fileName: "q3.pdf", mimeType: "application/pdf", size: 5 },
    ]);
    const png = { ...file, file_name: "scan.png", mime_type: "image/png" };
    expect(described({ document: png })[0]).toMatchObject({ kind: "image", fileName: "scan.png", size: undefined });
    const heic = { ...file, file_name: "IMG_1.HEIC", mime_type: "image/heic" };
    expect(described({ document: heic })[0]).toMatchObject({ kind: "file", mimeType: "image/heic" });
    expect(described({ document: file })[0]).toMatchObject({ fileName: "document-u.bin" });
  });

  it("names voice notes, audio, videos, video notes and GIFs (one file for an animation's two fields)", () => {
    expect(described({ voice: { ...file, mime_type: "audio/ogg" } })[0]).toMatchObject({
      kind: "file",
      fileName: "voice-u.ogg",
      mimeType: "audio/ogg",
    });
    expect(described({ audio: { ...file, file_name: "talk.mp3", mime_type: "audio/mpeg" } })[0]).toMatchObject({
      fileName: "talk.mp3",
    });
    expect(described({ video: file })[0]).toMatchObject({ kind: "file", fileName: "video-u.mp4" });
    expect(described({ video_note: file })[0]).toMatchObject({ fileName: "video-note-u.mp4", mimeType: "video/mp4" });
    const gif = { ...file, file_name: "funny.mp4", mime_type: "video/mp4" };
    expect(described({ animation: gif, document: gif })).toEqual([
      { ...common, kind: "file", fileName: "funny.mp4", mimeType: "video/mp4", size: undefined },
    ]);
  });

  it("finds no file in text, stickers or polls", () => {
    expect(described({ text: "hi" })).toEqual([]);
    expect(described({ sticker: file })).toEqual([]);
    expect(described({ poll: {} })).toEqual([]);
  });
});
