import type { Message } from "grammy/types";

/**
 * Message fields that carry something other than text, and how a person would name it. Order
 * matters: an animation also carries `document`, a venue also carries `location`.
 */
const MEDIA: readonly (readonly [keyof Message, string])[] = [
  ["photo", "a photo"],
  ["animation", "a GIF"],
  ["video", "a video"],
  ["video_note", "a video message"],
  ["voice", "a voice message"],
  ["audio", "an audio file"],
  ["document", "a file"],
  ["sticker", "a sticker"],
  ["paid_media", "paid media"],
  ["story", "a story"],
  ["venue", "a location"],
  ["location", "a location"],
  ["contact", "a contact"],
  ["poll", "a poll"],
  ["dice", "a dice roll"],
];

/** What the message carries besides text (Telegram puts at most one kind on a message); empty for text. */
export function attachmentsOf(message: Message): string[] {
  const found = MEDIA.find(([field]) => message[field] !== undefined);
  return found ? [found[1]] : [];
}
