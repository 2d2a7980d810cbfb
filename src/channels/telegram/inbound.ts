import type { Context } from "grammy";
import type { Message, UserFromGetMe } from "grammy/types";
import type { AppPort } from "../../core/app-port.ts";
import type { Place, Reply, Sender } from "../../core/commands/command.ts";
import { userMessage } from "../../core/errors.ts";
import { telegramKey } from "../../core/keys/conversation-key.ts";
import { onCallback } from "./callbacks.ts";
import { type ParsedCommand, parseCommand, withoutMention, withStartAsHelp } from "./commands.ts";
import { errorFields } from "./errors.ts";
import { attachmentsOf } from "./media.ts";
import type { ConversationOrder } from "./order.ts";
import type { TelegramOutgoing } from "./outgoing.ts";
import { type PlaceDeps, placeOf, senderOf } from "./place.ts";

/** What the update handlers need. */
export interface InboundDeps extends PlaceDeps {
  app: AppPort;
  outgoing: TelegramOutgoing;
  order: ConversationOrder;
  /** The bot's own user (known after getMe). */
  me(): UserFromGetMe;
}

/** The grammY middleware: messages and commands to the app in order, buttons at once. */
export function inboundHandler(deps: InboundDeps): (ctx: Context) => Promise<void> {
  return async (ctx) => {
    const { message, callback_query } = ctx.update;
    if (message) await onMessage(deps, message);
    else if (callback_query) await onCallback(deps, callback_query);
    // Anything else (channel posts, edits, member changes) is not for us: answered with nothing.
  };
}

async function onMessage(deps: InboundDeps, message: Message): Promise<void> {
  if (message.migrate_to_chat_id !== undefined || message.migrate_from_chat_id !== undefined) {
    await onMigration(deps, message);
    return;
  }
  const from = message.from;
  if (!from || from.is_bot || message.chat.type === "channel") return;
  const attachments = attachmentsOf(message);
  // Neither text nor media: a service message (members, pins, topic changes).
  if (message.text === undefined && attachments.length === 0) return;
  const place = placeOf(deps, message.chat, message, from);
  const sender = senderOf(from);
  const username = deps.me().username;
  const command = message.text === undefined ? undefined : parseCommand(message.text, message.entities, username);
  if (command === "foreign") return;
  if (command) {
    await onCommand(deps, { message, place, sender, command });
    return;
  }
  // A media message's caption is its text; the core answers it without passing it on.
  const text = withoutMention(message.text ?? message.caption ?? "", username);
  if (text.length === 0 && attachments.length === 0) return;
  const replyToMessageId = replyTarget(message, deps.me().id);
  const messageId = String(message.message_id);
  const invocation = { place, sender, text, messageId, replyToMessageId, attachments };
  await deps.order.message(place.conversation, () =>
    answer(deps, place.conversation, message, () => deps.app.handleMessage(invocation)),
  );
}

/**
 * A group upgraded to a supergroup gets a new chat id; Telegram announces it in both chats (the old
 * one's last message names the new id, the new one's first names the old). The first of the two
 * moves the binding and everything else kept under the old id; the second finds nothing left.
 */
async function onMigration(deps: InboundDeps, message: Message): Promise<void> {
  const here = String(message.chat.id);
  const [oldId, newId] =
    message.migrate_to_chat_id !== undefined
      ? [here, String(message.migrate_to_chat_id)]
      : [String(message.migrate_from_chat_id), here];
  const move = { from: telegramKey.encode(oldId), to: telegramKey.encode(newId) };
  deps.outgoing.noteUpgrade(oldId, newId);
  try {
    // Messages in the new chat wait for the move (they came after it); the move waits for commands
    // still running in the old chat (a /thread there binds before it moves).
    await deps.order.command(move.to, () => deps.order.command(move.from, () => deps.app.conversationMoved(move)));
  } catch (error) {
    deps.logger.error("telegram: could not follow a group's upgrade to a supergroup", {
      ...move,
      ...errorFields(error, deps.token),
    });
  }
}

/** A command of ours, with where it came from and who sent it. */
interface IncomingCommand {
  message: Message;
  place: Place;
  sender: Sender;
  command: ParsedCommand;
}

async function onCommand(deps: InboundDeps, { message, place, sender, command }: IncomingCommand): Promise<void> {
  const { name, text } = withStartAsHelp(command, deps.app.commands);
  // In groups a bare unknown command is likely meant for another bot.
  const known = deps.app.commands.some((c) => c.name === name);
  if (!known && !command.addressed && !place.direct) return;
  const run = () => deps.app.handleCommand({ place, sender, name, text });
  await deps.order.command(place.conversation, () => answer(deps, place.conversation, message, run));
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

/** Runs the app and posts its reply under the person's message; failures get a short line. */
async function answer(
  deps: InboundDeps,
  conversation: string,
  message: Message,
  run: () => Promise<Reply | undefined>,
): Promise<void> {
  let reply: Reply | undefined;
  try {
    reply = await run();
  } catch (error) {
    deps.logger.error("telegram: handler failed", { conversation, ...errorFields(error, deps.token) });
    reply = { text: userMessage(error) };
  }
  if (!reply) return;
  try {
    await deps.outgoing.reply(conversation, reply, message.message_id);
  } catch (error) {
    deps.logger.error("telegram: reply not delivered", { conversation, ...errorFields(error, deps.token) });
  }
}
