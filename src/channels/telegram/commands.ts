import type { BotCommand, MessageEntity } from "grammy/types";
import type { CommandDefinition } from "../../core/commands/command.ts";
import type { Logger } from "../../core/ports.ts";
import { truncate } from "../../core/text/truncate.ts";

const MENU_NAME = /^[a-z0-9_]{1,32}$/;
const MENU_DESCRIPTION_MAX = 256;

/** A command found at the start of a message; `addressed` when written `/cmd@ourbot`. */
export interface ParsedCommand {
  name: string;
  text: string;
  addressed: boolean;
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

/** Telegram's command menu (setMyCommands) generated from the core's definitions. */
export function commandMenu(commands: readonly CommandDefinition<unknown, unknown>[], logger: Logger): BotCommand[] {
  const menu: BotCommand[] = [];
  for (const command of commands) {
    if (!MENU_NAME.test(command.name)) {
      logger.warn("telegram: command left out of the menu (Telegram allows a-z, 0-9, _)", { command: command.name });
      continue;
    }
    const description = truncate(command.description.trim(), MENU_DESCRIPTION_MAX) || command.name;
    menu.push({ command: command.name, description });
  }
  return menu;
}

/** The text without a leading `@ourbot` mention (how people address a bot in a group). */
export function withoutMention(text: string, username: string): string {
  const mention = `@${username}`;
  if (!text.toLowerCase().startsWith(mention.toLowerCase())) return text;
  const rest = text.slice(mention.length);
  return /^\s/.test(rest) ? rest.trim() : rest.length === 0 ? "" : text;
}
