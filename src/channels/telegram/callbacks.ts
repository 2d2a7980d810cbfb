import { Composer, type Context } from "grammy";
import type { CallbackQuery, Message } from "grammy/types";
import type { Reply } from "../../core/commands/command.ts";
import { userMessage } from "../../core/errors.ts";
import { truncate } from "../../core/text/truncate.ts";
import type { HandlerDeps } from "./deps.ts";
import { errorFields } from "./errors.ts";
import { placeOf, senderOf } from "./place.ts";

/** Telegram's limit for the text of a callback answer (the toast). */
const TOAST_MAX = 200;

/** Button presses to the app at once (they wait for nothing); the reply is shown and the query always answered. */
export function callbacks(deps: HandlerDeps): Composer<Context> {
  const composer = new Composer();
  composer.on("callback_query", (ctx) => onCallback(deps, ctx.callbackQuery));
  return composer;
}

async function onCallback(deps: HandlerDeps, query: CallbackQuery): Promise<void> {
  let text: string | undefined;
  try {
    text = await runAction(deps, query);
  } catch (error) {
    deps.logger.error("telegram: button handler failed", errorFields(error, deps.token));
    text = userMessage(error);
  } finally {
    // Always answered, or the button keeps spinning on the person's screen.
    await deps.api
      .answerCallbackQuery(query.id, { text: toast(text), show_alert: false })
      .catch((error: unknown) => deps.logger.warn("telegram: callback answer failed", errorFields(error, deps.token)));
  }
}

/** Runs the action; returns the toast text (undefined when the reply was shown otherwise). */
async function runAction(deps: HandlerDeps, query: CallbackQuery): Promise<string | undefined> {
  const message = query.message;
  // A button under an inline-mode message has no chat: nothing of ours.
  if (!message) return undefined;
  // An inaccessible (old) message has no thread fields: those read as undefined.
  const thread = message as Partial<Pick<Message, "message_thread_id" | "is_topic_message">>;
  const place = placeOf(deps, message.chat, thread, query.from);
  const messageId = String(message.message_id);
  const reply = await deps.app.handleAction({ place, sender: senderOf(query.from), data: query.data ?? "", messageId });
  return show(deps, place.conversation, message.message_id, reply);
}

/**
 * A reply with buttons (the next page of /threads) replaces the message whose button was pressed;
 * a text too long for a toast becomes a message; a short text is the toast.
 */
async function show(deps: HandlerDeps, conversation: string, messageId: number, reply: Reply) {
  const hasButtons = (reply.buttons?.length ?? 0) > 0;
  if (!hasButtons && reply.text.length <= TOAST_MAX) return reply.text;
  if (hasButtons) {
    try {
      await deps.outgoing.edit(conversation, String(messageId), reply);
      return undefined;
    } catch (error) {
      deps.logger.warn("telegram: could not update the message, posting anew", errorFields(error, deps.token));
    }
  }
  await deps.outgoing.reply(conversation, reply, messageId);
  return undefined;
}

/** A toast text within Telegram's 200 characters. */
function toast(text: string | undefined): string | undefined {
  return text === undefined ? undefined : truncate(text, TOAST_MAX, "…");
}
