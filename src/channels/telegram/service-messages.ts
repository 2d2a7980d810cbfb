import { Composer, type Context } from "grammy";
import type { Message } from "grammy/types";
import type { ConversationMove } from "../../core/app-port.ts";
import { telegramKey } from "../../core/keys/conversation-key.ts";
import type { HandlerDeps } from "./deps.ts";
import { errorFields } from "./errors.ts";

/**
 * A group upgraded to a supergroup gets a new chat id; Telegram announces it in both chats (the old
 * one's last message names the new id, the new one's first names the old). The first of the two
 * moves the binding and everything else kept under the old id; the second finds nothing left.
 */
export function serviceMessages(deps: HandlerDeps): Composer<Context> {
  const composer = new Composer();
  composer.on("message", (ctx) => onUpgrade(deps, ctx.message));
  return composer;
}

async function onUpgrade(deps: HandlerDeps, message: Message): Promise<void> {
  const move = upgradeOf(message);
  if (!move) return;
  deps.outgoing.noteUpgrade(move.oldId, move.newId);
  const keys: ConversationMove = { from: telegramKey.encode(move.oldId), to: telegramKey.encode(move.newId) };
  try {
    // Messages in the new chat wait for the move (they came after it); the move waits for commands
    // still running in the old chat (a /thread there binds before it moves).
    await deps.order.command(keys.to, () => deps.order.command(keys.from, () => deps.app.conversationMoved(keys)));
  } catch (error) {
    deps.logger.error("telegram: could not follow a group's upgrade to a supergroup", {
      ...keys,
      ...errorFields(error, deps.token),
    });
  }
}

/** The group's old and new chat ids, from whichever of the two announcements this is. */
function upgradeOf(message: Message): { oldId: string; newId: string } | undefined {
  const here = String(message.chat.id);
  if (message.migrate_to_chat_id !== undefined) return { oldId: here, newId: String(message.migrate_to_chat_id) };
  if (message.migrate_from_chat_id !== undefined) return { oldId: String(message.migrate_from_chat_id), newId: here };
  return undefined;
}
