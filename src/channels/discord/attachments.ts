import type { Message } from "discord.js";

/** One kind of thing a message can carry that the agent cannot be given: [one, several]. */
type Noun = readonly [string, string];

const STICKER: Noun = ["a sticker", "stickers"];
const POLL: Noun = ["a poll", "polls"];

/**
 * What the message carries that cannot reach the agent, as a person would name it ("a sticker",
 * "2 stickers"); empty otherwise. (Attached files go to the agent: see files.ts.)
 */
export function attachmentsOf(message: Pick<Message, "stickers" | "poll">): string[] {
  const counts = new Map<Noun, number>();
  const add = (noun: Noun) => counts.set(noun, (counts.get(noun) ?? 0) + 1);
  for (const _ of message.stickers.values()) add(STICKER);
  if (message.poll) add(POLL);
  return [...counts].map(([[one, several], count]) => (count === 1 ? one : `${count} ${several}`));
}
