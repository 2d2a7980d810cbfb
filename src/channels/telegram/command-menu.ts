import type { BotCommand } from "grammy/types";
import type { CommandDefinition } from "../../core/commands/command.ts";
import type { Logger } from "../../core/ports.ts";
import { truncate } from "../../core/text/truncate.ts";

const MENU_NAME = /^[a-z0-9_]{1,32}$/;
const MENU_DESCRIPTION_MAX = 256;

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
