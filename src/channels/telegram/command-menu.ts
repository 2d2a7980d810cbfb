import type { BotCommand } from "grammy/types";
import type { CommandDefinition } from "../../core/commands/command.ts";
import type { Logger } from "../../core/ports.ts";
import { truncate } from "../../core/text/truncate.ts";

const MENU_NAME = /^[a-z0-9_]{1,32}$/;
const MENU_DESCRIPTION_MAX = 256;

/**
 * Telegram's command menu (setMyCommands) generated from the core's definitions. Telegram has no
 * subcommands: the menu lists the top-level commands, and a description names the subcommands
 * (`/thread rename x` is typed text, dispatched by the core on its first word).
 */
export function commandMenu(commands: readonly CommandDefinition<unknown, unknown>[], logger: Logger): BotCommand[] {
  const menu: BotCommand[] = [];
  for (const command of commands) {
    if (!MENU_NAME.test(command.name)) {
      logger.warn("telegram: command left out of the menu (Telegram allows a-z, 0-9, _)", { command: command.name });
      continue;
    }
    const description = truncate(withSubcommands(command), MENU_DESCRIPTION_MAX) || command.name;
    menu.push({ command: command.name, description });
  }
  return menu;
}

/** "Create or re-attach a thread… (also: show, off)". */
function withSubcommands(command: CommandDefinition<unknown, unknown>): string {
  const words = (command.subcommands ?? []).map((s) => s.name);
  const description = command.description.trim();
  return words.length === 0 ? description : `${description} (also: ${words.join(", ")})`;
}
