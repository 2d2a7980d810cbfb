import type { Message } from "discord.js";

/** One kind of thing a message can carry besides text: [one, several]. */
type Noun = readonly [string, string];

const IMAGE: Noun = ["an image", "images"];
const VIDEO: Noun = ["a video", "videos"];
const AUDIO: Noun = ["an audio file", "audio files"];
const FILE: Noun = ["a file", "files"];
const STICKER: Noun = ["a sticker", "stickers"];
const POLL: Noun = ["a poll", "polls"];

function nounOf(contentType: string | null): Noun {
  if (contentType?.startsWith("image/")) return IMAGE;
  if (contentType?.startsWith("video/")) return VIDEO;
  if (contentType?.startsWith("audio/")) return AUDIO;
  return FILE;
}

/** What the message carries besides text, as a person would name it ("an image", "2 files"); empty for text. */
export function attachmentsOf(message: Pick<Message, "attachments" | "stickers" | "poll">): string[] {
  const counts = new Map<Noun, number>();
  const add = (noun: Noun) => counts.set(noun, (counts.get(noun) ?? 0) + 1);
  for (const attachment of message.attachments.values()) add(nounOf(attachment.contentType));
  for (const _ of message.stickers.values()) add(STICKER);
  if (message.poll) add(POLL);
  return [...counts].map(([[one, several], count]) => (count === 1 ? one : `${count} ${several}`));
}
