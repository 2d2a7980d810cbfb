import { Composer, type Context } from "grammy";
import type { Message, MessageEntity } from "grammy/types";
import type { CommandDefinition } from "../../core/commands/command.ts";
import type { HandlerDeps } from "./deps.ts";
import { placeOf, senderOf } from "./place.ts";
import { respond } from "./respond.ts";

/** A command found at the start of a message; `addressed` when written `/cmd@ourbot`. */
export interface ParsedCommand {
  name: string;
  text: string;
  addressed: boolean;
}

/** Commands to the app, each after the earlier commands (never the messages) of its conversation. */
export function commands(deps: HandlerDeps): Composer<Context> {
  const composer = new Composer();
  composer.on("message", (ctx) => onCommand(deps, ctx.message, ctx.me.username));
  return composer;
}

async function onCommand(deps: HandlerDeps, message: Message, username: string): Promise<void> {
  const from = message.from;
  const command = message.text === undefined ? undefined : parseCommand(message.text, message.entities, username);
  if (!from || command === undefined || command === "foreign") return;
  const place = placeOf(deps, message.chat, message, from);
  const { name, text } = withStartAsHelp(command, deps.app.commands);
  // In groups a bare unknown command is likely meant for another bot.
  const known = deps.app.commands.some((c) => c.name === name);
  if (!known && !command.addressed && !place.direct) return;
  const run = () => deps.app.handleCommand({ place, sender: senderOf(from), name, text });
  await deps.order.command(place.conversation, () => respond(deps, place.conversation, message, run));
}

/**
 * The command a message starts with, "foreign" for `/cmd@otherbot` (not ours to answer),
 * undefined for a plain message. Telegram marks commands with a bot_command entity at offset 0.
 */
export function parseCommand(
  text: string,
  entities: readonly MessageEntity[] | undefined,
  username: string,
): ParsedCommand | "foreign" | undefined {
  const entity = entities?.find((e) => e.type === "bot_command" && e.offset === 0);
  if (!entity) return undefined;
  const [name = "", target] = text.slice(1, entity.length).split("@");
  if (target !== undefined && target.toLowerCase() !== username.toLowerCase()) return "foreign";
  return { name: name.toLowerCase(), text: text.slice(entity.length).trim(), addressed: target !== undefined };
}

/**
 * Telegram clients send `/start` (with an optional deep-link payload) when a person opens the bot;
 * unless the core has a /start of its own, that shows /help.
 */
export function withStartAsHelp(
  command: ParsedCommand,
  commands: readonly CommandDefinition<unknown, unknown>[],
): { name: string; text: string } {
  const has = (name: string) => commands.some((c) => c.name === name);
  if (command.name === "start" && !has("start") && has("help")) return { name: "help", text: "" };
  return { name: command.name, text: command.text };
}
