import type { Chat, Message } from "grammy/types";
import { BotError, ErrorCode } from "../../core/errors.ts";
import { telegramKey } from "../../core/keys/conversation-key.ts";

/** The id Telegram gives a forum's General topic; messages there must be sent without it. */
export const GENERAL_TOPIC_ID = 1;

/** Where to send in Telegram: a chat and, inside a forum topic, its message_thread_id. */
export interface TelegramTarget {
  chatId: number | string;
  /** Undefined for chats without topics and for General. */
  threadId: number | undefined;
}

/** Decodes a conversation key into Bot API parameters. */
export function targetOf(conversation: string): TelegramTarget {
  const key = telegramKey.decode(conversation);
  if (!key) throw new BotError(ErrorCode.BadInput, `Not a Telegram conversation: ${JSON.stringify(conversation)}`);
  // Chat ids fit in 52 bits; an `@channel` username stays a string.
  const chatId = /^-?\d+$/.test(key.chatId) ? Number(key.chatId) : key.chatId;
  const topic = key.topicId === undefined ? undefined : Number(key.topicId);
  return { chatId, threadId: topic === undefined || topic === GENERAL_TOPIC_ID ? undefined : topic };
}

/** message_thread_id for a send, omitted outside topics (General included). */
export function threadParams(target: TelegramTarget): { message_thread_id?: number } {
  return target.threadId === undefined ? {} : { message_thread_id: target.threadId };
}

/**
 * The forum topic a message belongs to, or undefined outside topics. In supergroups without
 * topics message_thread_id marks reply threads, so it counts only when is_topic_message is set.
 */
export function topicOf(chat: Chat, message: Pick<Message, "message_thread_id" | "is_topic_message">) {
  if (chat.type !== "supergroup" || !chat.is_forum) return undefined;
  const id = message.is_topic_message ? message.message_thread_id : undefined;
  return id === undefined || id === GENERAL_TOPIC_ID ? undefined : id;
}

/** True in a forum's General topic, where `/thread <name>` opens a topic of its own. */
export function isForumGeneral(chat: Chat, message: Pick<Message, "message_thread_id" | "is_topic_message">) {
  return chat.type === "supergroup" && chat.is_forum === true && topicOf(chat, message) === undefined;
}

/** The conversation key of a message: the chat, or the chat's forum topic. */
export function conversationOf(chat: Chat, message: Pick<Message, "message_thread_id" | "is_topic_message">) {
  const topic = topicOf(chat, message);
  return telegramKey.encode(String(chat.id), topic === undefined ? undefined : String(topic));
}
