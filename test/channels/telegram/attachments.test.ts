import type { Message } from "grammy/types";
import { describe, expect, it } from "vitest";
import { attachmentsOf } from "../../../src/channels/telegram/attachments.ts";

const base = { message_id: 1, date: 0, chat: { id: 1, type: "private", first_name: "A" } };
const file = { file_id: "f", file_unique_id: "u" };

/** A message with the given extra fields, as Telegram would send it. */
function message(fields: Record<string, unknown>): Message {
  return { ...base, ...fields } as unknown as Message;
}

describe("telegram attachmentsOf", () => {
  it("names nothing for text and service messages", () => {
    expect(attachmentsOf(message({ text: "hi" }))).toEqual([]);
    expect(attachmentsOf(message({ pinned_message: message({ text: "x" }) }))).toEqual([]);
  });

  it("names the one kind a message carries, the specific one first", () => {
    expect(attachmentsOf(message({ photo: [{ ...file, width: 1, height: 1 }], caption: "look" }))).toEqual(["a photo"]);
    // An animation also carries `document`, a venue also `location`: the specific name wins.
    expect(attachmentsOf(message({ animation: file, document: file }))).toEqual(["a GIF"]);
    expect(attachmentsOf(message({ venue: {}, location: {} }))).toEqual(["a location"]);
    expect(attachmentsOf(message({ document: file }))).toEqual(["a file"]);
    expect(attachmentsOf(message({ voice: file }))).toEqual(["a voice message"]);
    expect(attachmentsOf(message({ sticker: file }))).toEqual(["a sticker"]);
  });
});
