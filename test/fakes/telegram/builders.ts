import type { FakeEntity } from "./html.ts";
import { type FakeMedia, mediaFields } from "./media.ts";
import type { ChatState, FakeChat, FakeMessage, FakeUser, FakeWorld } from "./state.ts";
import type { UpdateQueue } from "./updates.ts";

const COMMAND = /^\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{1,64})?/;
const MENTION = /@[A-Za-z0-9_]{5,32}/g;

/** Where a user message goes and what it replies to. */
export interface UserMessageOptions {
  /** Forum topic (message_thread_id); omit for General or a chat without topics. */
  topicId?: number | undefined;
  /** message_id of the message this one replies to. */
  replyTo?: number | undefined;
  /** Sends this media instead of a text message; the text becomes its caption (none when empty). */
  media?: FakeMedia | undefined;
  /** Makes the message a part of this album (media_group_id). */
  mediaGroupId?: string | undefined;
}

/** Text and entities of a message, or media, caption and caption entities of a media message. */
function bodyFields(world: FakeWorld, text: string, options: UserMessageOptions): Partial<FakeMessage> {
  if (options.media === undefined) return { text, entities: entitiesOf(text) };
  return {
    ...mediaFields(world.files, options.media),
    ...(options.mediaGroupId === undefined ? {} : { media_group_id: options.mediaGroupId }),
    ...(text.length > 0 ? { caption: text, caption_entities: entitiesOf(text) } : {}),
  };
}

/** Entities Telegram's clients add: a bot_command at the start (incl. `/cmd@bot`) and @mentions. */
function entitiesOf(text: string): FakeEntity[] | undefined {
  const entities: FakeEntity[] = [];
  const command = COMMAND.exec(text);
  if (command) entities.push({ type: "bot_command", offset: 0, length: command[0].length });
  for (const m of text.matchAll(MENTION)) {
    if (m.index > 0 && text[m.index - 1] !== " ") continue;
    entities.push({ type: "mention", offset: m.index, length: m[0].length });
  }
  return entities.length > 0 ? entities : undefined;
}

/** A shallow copy for reply_to_message: Telegram never nests a reply's own reply. */
function quoted(message: FakeMessage): FakeMessage {
  const { reply_to_message: _drop, ...rest } = message;
  return structuredClone(rest);
}

/**
 * Like real Telegram, a message in a forum topic that replies to nothing carries
 * reply_to_message = the topic's creation service message.
 */
function replyTargetOf(chat: ChatState, options: UserMessageOptions): FakeMessage | undefined {
  const id = options.replyTo ?? options.topicId;
  const target = id === undefined ? undefined : chat.messages.get(id);
  return target ? quoted(target.message) : undefined;
}

/** Stores a user's text (or media) message and queues it as a `message` update (if it reaches the bot). */
export function userMessage(
  world: FakeWorld,
  queue: UpdateQueue,
  chatId: number,
  from: FakeUser,
  text: string,
  options: UserMessageOptions = {},
): FakeMessage {
  const chat = world.chat(chatId);
  const topic = options.topicId === undefined ? {} : { message_thread_id: options.topicId, is_topic_message: true };
  const stored = world.store(chat, {
    from,
    ...bodyFields(world, text, options),
    ...topic,
    reply_to_message: replyTargetOf(chat, options),
  });
  if (reachesBot(world, chat, stored.message, options)) queue.push({ message: stored.message });
  return stored.message;
}

/** Whether Telegram delivers a group message to the bot (see FakeWorld.privacyMode). */
function reachesBot(world: FakeWorld, chat: ChatState, message: FakeMessage, options: UserMessageOptions): boolean {
  if (!world.privacyMode || chat.chat.type === "private") return true;
  const status = chat.members.get(world.bot.id)?.status;
  if (status === "administrator" || status === "creator") return true;
  const entities = message.entities ?? message.caption_entities;
  if (entities?.some((e) => e.type === "bot_command")) return true;
  const mention = `@${world.bot.username ?? ""}`.toLowerCase();
  if (entities?.some((e) => e.type === "mention" && textOf(message, e).toLowerCase() === mention)) return true;
  return options.replyTo !== undefined && message.reply_to_message?.from?.id === world.bot.id;
}

function textOf(message: FakeMessage, entity: FakeEntity): string {
  return (message.text ?? message.caption ?? "").slice(entity.offset, entity.offset + entity.length);
}

let albums = 0;

/**
 * A person sends an album: one message per item sharing a media_group_id, each queued as an update
 * of its own (Telegram's way); the caption goes on the item at `captionIndex` (the first by default).
 */
export function album(
  world: FakeWorld,
  queue: UpdateQueue,
  chatId: number,
  from: FakeUser,
  items: readonly FakeMedia[],
  options: { caption?: string; captionIndex?: number; topicId?: number } = {},
): FakeMessage[] {
  const mediaGroupId = String(13_000_000_000_000_000 + ++albums);
  return items.map((media, index) => {
    const caption = index === (options.captionIndex ?? 0) ? (options.caption ?? "") : "";
    return userMessage(world, queue, chatId, from, caption, { topicId: options.topicId, media, mediaGroupId });
  });
}

/** Queues a `callback_query` for a button press under `message`; returns the query id. */
export function callbackQuery(
  world: FakeWorld,
  queue: UpdateQueue,
  from: FakeUser,
  message: FakeMessage,
  data: string | undefined,
): string {
  const id = `cq${world.callbackQueries.size + 1}`;
  world.callbackQueries.set(id, { answered: false });
  const current = world.chat(message.chat.id).messages.get(message.message_id)?.message ?? message;
  queue.push({
    callback_query: {
      id,
      from,
      message: quoted(current),
      chat_instance: String(message.chat.id),
      ...(data === undefined ? {} : { data }),
    },
  });
  return id;
}

/** Stores a post in a channel and queues it as a `channel_post` update. */
export function channelPost(world: FakeWorld, queue: UpdateQueue, chat: FakeChat, text: string): FakeMessage {
  const state = world.chats.get(chat.id) ?? world.addChat(chat);
  const stored = world.store(state, { sender_chat: chat, text, entities: entitiesOf(text) });
  queue.push({ channel_post: stored.message });
  return stored.message;
}

/**
 * A person upgrades group `chatId` to a supergroup with id `newId` (enabling topics, making history
 * visible…): the supergroup starts with the group's members, and Telegram announces the move with a
 * service message in each chat; from then on every call on the old id is refused with
 * `migrate_to_chat_id`. Returns the new chat.
 */
export function migrateChat(
  world: FakeWorld,
  queue: UpdateQueue,
  chatId: number,
  by: FakeUser,
  upgrade: { newId: number; isForum?: boolean; announce?: boolean },
): FakeChat {
  const old = world.chat(chatId);
  const chat: FakeChat = {
    id: upgrade.newId,
    type: "supergroup",
    title: old.chat.title ?? "Supergroup",
    ...(upgrade.isForum ? { is_forum: true } : {}),
  };
  const fresh = world.addChat(chat);
  for (const [id, member] of old.members) fresh.members.set(id, member);
  const announcements = [
    world.store(old, { from: by, migrate_to_chat_id: chat.id }).message,
    world.store(fresh, { from: by, migrate_from_chat_id: chatId }).message,
  ];
  // `announce: false`: the bot never gets them (it was away longer than Telegram keeps updates).
  if (upgrade.announce !== false) for (const message of announcements) queue.push({ message });
  old.migratedTo = chat.id;
  return chat;
}
