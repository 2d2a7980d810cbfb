import type { Message } from "grammy/types";

/**
 * Message fields that carry something the agent cannot be given, and how a person would name it.
 * Order matters: a venue also carries `location`. (Photos, files, voice and audio notes, videos and
 * GIFs go to the agent: see files.ts.)
 */
const REFUSED: readonly (readonly [keyof Message, string])[] = [
  ["sticker", "a sticker"],
  ["paid_media", "paid media"],
  ["story", "a story"],
  ["venue", "a location"],
  ["location", "a location"],
  ["contact", "a contact"],
  ["poll", "a poll"],
  ["dice", "a dice roll"],
];

/** What the message carries that cannot reach the agent (Telegram puts at most one kind on a message); empty otherwise. */
export function attachmentsOf(message: Message): string[] {
  const found = REFUSED.find(([field]) => message[field] !== undefined);
  return found ? [found[1]] : [];
}
