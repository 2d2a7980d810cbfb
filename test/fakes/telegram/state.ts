import { ApiFailure, badRequest } from "./errors.ts";
import { FileStore } from "./files.ts";
import type { FakeEntity } from "./html.ts";

export { ApiFailure, badRequest } from "./errors.ts";

/** A Telegram user (or bot) as the fake knows it. */
export interface FakeUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
}

/** A chat as the fake knows it; `is_forum` makes a supergroup a forum with topics. */
export interface FakeChat {
  id: number;
  type: "private" | "group" | "supergroup" | "channel";
  title?: string;
  first_name?: string;
  username?: string;
  is_forum?: boolean;
}

/** An inline keyboard as sent in reply_markup. */
export interface InlineMarkup {
  inline_keyboard: { text: string; callback_data?: string; url?: string }[][];
}

/** The file fields every media object of the Bot API has. */
export interface FileRef {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
}

/** Media that may carry the sender's file name and type. */
interface Named {
  file_name?: string;
  mime_type?: string;
}

/** A message as the Bot API returns it (the subset the fake models). */
export interface FakeMessage {
  message_id: number;
  date: number;
  chat: FakeChat;
  from?: FakeUser;
  sender_chat?: FakeChat;
  text?: string;
  entities?: FakeEntity[];
  /** A media message's text, and its entities. */
  caption?: string;
  caption_entities?: FakeEntity[];
  photo?: (FileRef & { width: number; height: number })[];
  document?: FileRef & Named;
  voice?: FileRef & { duration: number; mime_type?: string };
  audio?: FileRef & Named & { duration: number };
  video?: FileRef & Named & { width: number; height: number; duration: number };
  video_note?: FileRef & { length: number; duration: number };
  animation?: FileRef & Named & { width: number; height: number; duration: number };
  sticker?: FileRef & { type: "regular"; width: number; height: number };
  /** Shared by the messages of one album. */
  media_group_id?: string;
  message_thread_id?: number;
  is_topic_message?: boolean;
  reply_to_message?: FakeMessage;
  reply_markup?: InlineMarkup;
  forum_topic_created?: { name: string; icon_color: number };
  /** Service messages of a group's upgrade to a supergroup. */
  migrate_to_chat_id?: number;
  migrate_from_chat_id?: number;
  edit_date?: number;
}

/** One version of a stored message: the original, then each edit. */
export interface MessageVersion {
  text: string;
  html?: string | undefined;
  reply_markup?: InlineMarkup | undefined;
  at: number;
}

/** A message in the fake's store with every version it had (streaming edits are visible). */
export interface StoredMessage {
  message: FakeMessage;
  history: MessageVersion[];
}

/** A forum topic; `deleted` topics answer TOPIC_ID_INVALID like Telegram. */
export interface FakeTopic {
  id: number;
  name: string;
  closed: boolean;
  deleted: boolean;
}

/** Chat member statuses the fake answers from its seeded table. */
export type MemberStatus = "creator" | "administrator" | "member" | "restricted" | "left" | "kicked";

/** Everything the fake keeps about one chat. */
export interface ChatState {
  chat: FakeChat;
  messages: Map<number, StoredMessage>;
  topics: Map<number, FakeTopic>;
  members: Map<number, { status: MemberStatus; user: FakeUser }>;
  nextMessageId: number;
  /** Whether the bot may create/reopen topics (admin with can_manage_topics). */
  botCanManageTopics: boolean;
  /** Set once the group was upgraded to the supergroup with this id: calls here are refused. */
  migratedTo?: number;
}

/** The chats, members, topics and messages of the fake. */
export class FakeWorld {
  readonly chats = new Map<number, ChatState>();
  readonly bot: FakeUser;
  /**
   * Telegram's privacy mode (BotFather /setprivacy): in groups the bot then gets only commands,
   * mentions of it and replies to it, unless it is an administrator there. Off by default.
   */
  privacyMode = false;
  /** The command menu set by setMyCommands. */
  myCommands: { command: string; description: string }[] = [];
  /** Files people sent and the bot uploaded (getFile, downloads). */
  readonly files = new FileStore();
  /** Callback queries sent to the bot, by id, and whether they were answered. */
  readonly callbackQueries = new Map<string, { answered: boolean; text?: string | undefined }>();

  constructor(bot: FakeUser) {
    this.bot = bot;
  }

  /** Adds (or replaces) a chat. */
  addChat(chat: FakeChat, options: { botCanManageTopics?: boolean } = {}): ChatState {
    const state: ChatState = {
      chat,
      messages: new Map(),
      topics: new Map(),
      members: new Map(),
      // In a forum, id 1 is the General topic (its creation message); topics get later ids.
      nextMessageId: chat.is_forum ? 2 : 1,
      botCanManageTopics: options.botCanManageTopics ?? true,
    };
    this.chats.set(chat.id, state);
    return state;
  }

  /** The chat, or 400 "chat not found" (or Telegram's answer for a group upgraded to a supergroup). */
  chat(chatId: unknown): ChatState {
    const state = this.chats.get(Number(chatId));
    if (!state) throw badRequest("chat not found");
    if (state.migratedTo !== undefined) {
      throw new ApiFailure(400, "Bad Request: group chat was upgraded to a supergroup chat", {
        migrate_to_chat_id: state.migratedTo,
      });
    }
    return state;
  }

  /** Stores a new message in its chat with the next message id. */
  store(chat: ChatState, fields: Omit<FakeMessage, "message_id" | "date" | "chat">, html?: string): StoredMessage {
    const message: FakeMessage = { message_id: chat.nextMessageId++, date: now(), chat: chat.chat, ...fields };
    const stored: StoredMessage = {
      message,
      history: [{ text: message.text ?? "", html, reply_markup: message.reply_markup, at: Date.now() }],
    };
    chat.messages.set(message.message_id, stored);
    return stored;
  }

  /** Opens a topic in a forum chat, with its service message, like createForumTopic. */
  createTopic(chat: ChatState, name: string, creator: FakeUser): FakeTopic {
    const service = this.store(chat, { from: creator, forum_topic_created: { name, icon_color: 7322096 } });
    service.message.message_thread_id = service.message.message_id;
    service.message.is_topic_message = true;
    const topic = { id: service.message.message_id, name, closed: false, deleted: false };
    chat.topics.set(topic.id, topic);
    return topic;
  }
}

/** Unix time in seconds, as Telegram dates are. */
export function now(): number {
  return Math.floor(Date.now() / 1000);
}
