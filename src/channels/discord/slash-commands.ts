import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  type Client,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  Routes,
} from "discord.js";
import type { CommandDefinition, CommandParam } from "../../core/commands/command.ts";
import type { Logger } from "../../core/ports.ts";
import { truncate } from "../../core/text/truncate.ts";
import { platformCall } from "./port.ts";

/** A chat-input command as Discord's PUT …/commands takes it. */
export type SlashCommand = RESTPostAPIChatInputApplicationCommandsJSONBody;

const MAX_DESCRIPTION = 100;
const MAX_OPTION_LENGTH = 6000;

/**
 * Slash commands derived from the core's definitions: every param is a string option (required
 * ones first, as Discord demands), with autocomplete and max_length. A command with subcommands
 * gets one SUB_COMMAND option (type 1) per subcommand, and its own behaviour becomes the
 * subcommand its `asSubcommand` names (Discord forbids plain options beside subcommands). A command
 * that only admins may run in every form gets default_member_permissions = Manage Server (the core
 * still checks at run time). `contexts` (global commands only) says where they may be used.
 */
export function slashCommands(
  definitions: readonly CommandDefinition<unknown, unknown>[],
  contexts?: readonly InteractionContextType[],
): SlashCommand[] {
  return definitions.map((definition) => ({
    type: ApplicationCommandType.ChatInput,
    name: definition.name,
    description: truncate(definition.description, MAX_DESCRIPTION),
    options: definition.subcommands?.length ? subcommandOptions(definition) : paramOptions(definition.params),
    ...(adminsOnly(definition) ? { default_member_permissions: String(PermissionFlagsBits.ManageGuild) } : {}),
    // Contexts apply to global commands only; a guild command lives in its guild.
    ...(contexts ? { integration_types: [ApplicationIntegrationType.GuildInstall], contexts: [...contexts] } : {}),
  }));
}

/** Hidden from members without Manage Server only when no form of the command is for them. */
function adminsOnly(definition: CommandDefinition<unknown, unknown>): boolean {
  return definition.access === "admin" && (definition.subcommands ?? []).every((s) => s.access === "admin");
}

function subcommandOptions(definition: CommandDefinition<unknown, unknown>) {
  const own = definition.asSubcommand
    ? [subcommand(definition.asSubcommand.name, definition.asSubcommand.description, definition.params)]
    : [];
  const rest = (definition.subcommands ?? []).map((s) => subcommand(s.name, s.description, s.params));
  return [...own, ...rest];
}

function subcommand(name: string, description: string, params: readonly CommandParam[]) {
  return {
    type: ApplicationCommandOptionType.Subcommand as const,
    name,
    description: truncate(description, MAX_DESCRIPTION),
    options: paramOptions(params),
  };
}

function paramOptions(params: readonly CommandParam[]) {
  return [...params].sort((a, b) => Number(b.required) - Number(a.required)).map(option);
}

function option(param: CommandParam) {
  const maxLength =
    param.maxLength === undefined ? undefined : Math.min(Math.max(1, param.maxLength), MAX_OPTION_LENGTH);
  return {
    type: ApplicationCommandOptionType.String as const,
    name: param.name,
    description: truncate(param.description, MAX_DESCRIPTION),
    required: param.required,
    ...(param.autocomplete ? { autocomplete: true } : {}),
    ...(maxLength === undefined ? {} : { max_length: maxLength }),
  };
}

/**
 * Registers the commands. Without guild ids: globally, for servers and the bot's DMs. With guild
 * ids: in each guild (they appear at once there), plus a DM-only global set, so DMs keep their
 * slash commands and servers do not list every command twice. A guild that refuses (the bot is
 * not in it) is logged and skipped; a refused global registration fails the start.
 */
export async function registerCommands(options: {
  client: Client<true>;
  definitions: readonly CommandDefinition<unknown, unknown>[];
  guildIds: readonly string[];
  logger: Logger;
}): Promise<void> {
  const { client, definitions, guildIds, logger } = options;
  const appId = client.application.id;
  const everywhere = [InteractionContextType.Guild, InteractionContextType.BotDM];
  const global = slashCommands(definitions, guildIds.length === 0 ? everywhere : [InteractionContextType.BotDM]);
  await platformCall("register slash commands", () =>
    client.rest.put(Routes.applicationCommands(appId), { body: global }),
  );
  for (const guildId of guildIds) {
    try {
      await client.rest.put(Routes.applicationGuildCommands(appId, guildId), {
        body: slashCommands(definitions),
      });
    } catch (error) {
      logger.error("discord: could not register slash commands in a guild (is the bot in it?)", { guildId, error });
    }
  }
  logger.info("discord: slash commands registered", { scope: guildIds.length === 0 ? "global" : "guild", guildIds });
}
