import { Composer, type Context } from "grammy";
import type { Message, UserFromGetMe } from "grammy/types";
import { attachmentsOf } from "./attachments.ts";
import type { HandlerDeps } from "./deps.ts";
import { placeOf, senderOf } from "./place.ts";
import { respond } from "./respond.ts";

/**
 * Plain messages to the app, each after the earlier messages and commands of its conversation. A
 * media message is named (its caption as its text), for the core to refuse rather than pass on.
 */
export function messages(deps: HandlerDeps): Composer<Context> {
  const composer = new Composer();
  composer.on("message", (ctx) => onMessage(deps, ctx.message, ctx.me));
  return composer;
}

async function onMessage(deps: HandlerDeps, message: Message, me: UserFromGetMe): Promise<void> {
  const from = message.from;
  if (!from) return;
  const attachments = attachmentsOf(message);
  const text = withoutMention(message.text ?? message.caption ?? "", me.username);
  if (text.length === 0 && attachments.length === 0) return;
  const place = placeOf(deps, message.chat, message, from);
  const invocation = {
    place,
    sender: senderOf(from),
    text,
    messageId: String(message.message_id),
    replyToMessageId: replyTarget(message, me.id),
    attachments,
  };
  await deps.order.message(place.conversation, () =>
    respond(deps, place.conversation, message, () => deps.app.handleMessage(invocation)),
  );
}

/** The text without a leading `@ourbot` mention (how people address a bot in a group). */
export function withoutMention(text: string, username: string): string {
  const mention = `@${username}`;
  if (!text.toLowerCase().startsWith(mention.toLowerCase())) return text;
  const rest = text.slice(mention.length);
  return /^\s/.test(rest) ? rest.trim() : rest.length === 0 ? "" : text;
}

/**
 * The bot message this one replies to. In a forum topic every message "replies" to the topic's
 * creation message, which is no reply at all.
 */
function replyTarget(message: Message, botId: number): string | undefined {
  const target = message.reply_to_message;
  if (!target || target.from?.id !== botId) return undefined;
  if (target.forum_topic_created || target.message_id === message.message_thread_id) return undefined;
  return String(target.message_id);
}
