import { type Api, GrammyError } from "grammy";
import type { Chat, Message, User } from "grammy/types";
import type { Place, Sender } from "../../core/commands/command.ts";
import { BotError, ErrorCode } from "../../core/errors.ts";
import { telegramKey } from "../../core/keys/conversation-key.ts";
import { senderId } from "../../core/keys/sender-id.ts";
import type { Logger } from "../../core/ports.ts";
import { truncate } from "../../core/text/truncate.ts";
import { conversationOf, isForumGeneral } from "./conversation.ts";
import { errorFields, isTopicAlreadyOpen, isTopicGone, platformError } from "./errors.ts";

/** What building a Place needs: the API for capabilities, a logger, the token to redact. */
export interface PlaceDeps {
  api: Api;
  logger: Logger;
  token: string;
}

/** Telegram's longest forum topic name. */
const TOPIC_NAME_MAX = 128;

/** The core's sender for a Telegram user: `telegram:<userId>`. */
export function senderOf(user: User): Sender {
  const name = [user.first_name, user.last_name].filter(Boolean).join(" ") || user.username;
  return { id: senderId.encode({ platform: "telegram", userId: String(user.id) }), name };
}

/** The Place of a message (or of the message under a pressed button), with its capabilities. */
export function placeOf(
  deps: PlaceDeps,
  chat: Chat,
  message: Pick<Message, "message_thread_id" | "is_topic_message">,
  user: User,
): Place {
  const place: Place = { conversation: conversationOf(chat, message), direct: chat.type === "private" };
  if (chat.type !== "private") place.senderIsSpaceAdmin = () => isChatAdmin(deps, chat.id, user.id);
  if (isForumGeneral(chat, message)) place.openNativeThread = (request) => openTopic(deps, chat.id, request);
  return place;
}

async function isChatAdmin(deps: PlaceDeps, chatId: number, userId: number): Promise<boolean> {
  try {
    const member = await deps.api.getChatMember(chatId, userId);
    return member.status === "creator" || member.status === "administrator";
  } catch (error) {
    throw platformError("check whether you administer this chat", error);
  }
}

/** Reopens the topic the bot made before for this thread, or creates one named after it. */
async function openTopic(
  deps: PlaceDeps,
  chatId: number,
  request: { name: string; existing?: string | undefined },
): Promise<string> {
  const reopened = request.existing ? await reopenTopic(deps, chatId, request.existing) : undefined;
  if (reopened) return reopened;
  try {
    const topic = await deps.api.createForumTopic(chatId, truncate(request.name, TOPIC_NAME_MAX));
    return telegramKey.encode(String(chatId), String(topic.message_thread_id));
  } catch (error) {
    throw topicError("create a topic", error);
  }
}

/** The existing topic's key once it is open again; undefined when it is gone (deleted). */
async function reopenTopic(deps: PlaceDeps, chatId: number, existing: string): Promise<string | undefined> {
  const key = telegramKey.decode(existing);
  if (!key?.topicId || key.chatId !== String(chatId)) return undefined;
  try {
    await deps.api.reopenForumTopic(chatId, Number(key.topicId));
    return existing;
  } catch (error) {
    if (isTopicAlreadyOpen(error)) return existing;
    if (!isTopicGone(error)) throw topicError("reopen the topic", error);
    deps.logger.info("telegram: topic is gone, creating a new one", { chatId, ...errorFields(error, deps.token) });
    return undefined;
  }
}

function topicError(what: string, error: unknown): BotError {
  if (error instanceof GrammyError && error.description.includes("not enough rights")) {
    return new BotError(ErrorCode.Platform, "I need to be an admin with the Manage Topics right to open topics here.", {
      details: { method: error.method, code: error.error_code },
    });
  }
  return platformError(what, error);
}
