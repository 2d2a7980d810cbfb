import { Composer, type Context } from "grammy";
import type { Message, UserFromGetMe } from "grammy/types";
import type { MessageInvocation } from "../../core/app-port.ts";
import type { Place } from "../../core/commands/command.ts";
import { attachmentsOf } from "./attachments.ts";
import type { HandlerDeps } from "./deps.ts";
import { filesOf } from "./files.ts";
import { placeOf, senderOf } from "./place.ts";
import { respond } from "./respond.ts";

/**
 * Plain messages to the app, each after the earlier messages and commands of its conversation. A
 * message's photo, file, voice note or video goes with it (its caption as its text), and the parts
 * of an album go as one message; what cannot reach the agent (a sticker, a poll) is named, for the
 * core to refuse rather than pass on.
 */
export function messages(deps: HandlerDeps): Composer<Context> {
  const composer = new Composer();
  composer.on("message", (ctx) => onMessage(deps, ctx.message, ctx.me));
  return composer;
}

/** Takes the message's place in its conversation's order at once (synchronously, in arrival order). */
function onMessage(deps: HandlerDeps, message: Message, me: UserFromGetMe): Promise<void> {
  const from = message.from;
  if (!from) return Promise.resolve();
  const place = placeOf(deps, message.chat, message, from);
  const handle = (parts: Promise<Message[]>) =>
    deps.order.message(place.conversation, async () => {
      const invocation = invocationOf(deps, place, await parts, me);
      if (!invocation) return;
      await respond(deps, place.conversation, message, () => deps.app.handleMessage(invocation));
    });
  const group = message.media_group_id;
  // The album's first part holds the album's place; later parts only join it.
  return group === undefined ? handle(Promise.resolve([message])) : deps.albums.add(message, group, handle);
}

/** One MessageInvocation for a message or the parts of an album (the caption is the one part that has one). */
function invocationOf(
  deps: HandlerDeps,
  place: Place,
  parts: readonly Message[],
  me: UserFromGetMe,
): MessageInvocation | undefined {
  const first = parts[0];
  if (!first?.from) return undefined;
  const captioned = parts.find((p) => p.text !== undefined || p.caption !== undefined) ?? first;
  const text = withoutMention(captioned.text ?? captioned.caption ?? "", me.username);
  const files = parts.flatMap((p) => filesOf(p, deps.downloads));
  const attachments = [...new Set(parts.flatMap(attachmentsOf))];
  if (text.length === 0 && files.length === 0 && attachments.length === 0) return undefined;
  return {
    place,
    sender: senderOf(first.from),
    text,
    messageId: String(first.message_id),
    replyToMessageId: replyTarget(first, me.id),
    attachments,
    files,
  };
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
