import type { Context } from "grammy";
import type { Message } from "grammy/types";
import { attachmentsOf } from "./attachments.ts";
import { parseCommand } from "./commands.ts";
import { hasFile } from "./files.ts";

/** The kinds of update the channel handles, each by a composer of its own. */
export type Route = "button" | "service" | "command" | "message";

/**
 * Which composer handles an update; undefined for what is not ours: channel posts, other bots,
 * service messages other than a group's upgrade (members, pins, topic changes), and commands
 * addressed to another bot (`/cmd@otherbot`).
 */
export function routeOf(ctx: Context): Route | undefined {
  const { message, callback_query } = ctx.update;
  if (callback_query) return "button";
  if (!message) return undefined;
  if (message.migrate_to_chat_id !== undefined || message.migrate_from_chat_id !== undefined) return "service";
  if (!fromPerson(message)) return undefined;
  if (message.text === undefined) return carriesSomething(message) ? "message" : undefined;
  const command = parseCommand(message.text, message.entities, ctx.me.username);
  if (command === "foreign") return undefined;
  return command ? "command" : "message";
}

/** A message without text that still says something: a file for the agent, or something it cannot be given. */
function carriesSomething(message: Message): boolean {
  return hasFile(message) || attachmentsOf(message).length > 0;
}

/** Written by a person: not by a bot (this one included), not a channel's post. */
function fromPerson(message: Message): boolean {
  return message.from !== undefined && !message.from.is_bot && message.chat.type !== "channel";
}
