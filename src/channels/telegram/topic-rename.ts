import type { Api } from "grammy";
import { telegramKey } from "../../core/keys/conversation-key.ts";
import { truncate } from "../../core/text/truncate.ts";
import { isTopicAlreadyOpen, isTopicGone, platformError } from "./errors.ts";

/** Telegram's longest forum topic name. */
const TOPIC_NAME_MAX = 128;

/**
 * editForumTopic of the topic a conversation key names. A topic already so named (TOPIC_NOT_MODIFIED)
 * or deleted since is not an error: the thread's name is the bot's, the topic only shows it.
 */
export async function renameTopic(api: Api, conversation: string, name: string): Promise<void> {
  const key = telegramKey.decode(conversation);
  if (!key?.topicId) return;
  try {
    await api.editForumTopic(Number(key.chatId), Number(key.topicId), { name: truncate(name, TOPIC_NAME_MAX) });
  } catch (error) {
    if (isTopicAlreadyOpen(error) || isTopicGone(error)) return;
    throw platformError("rename the topic", error);
  }
}
