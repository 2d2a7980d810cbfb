import {
  ApplicationCommandOptionType,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type CommandInteractionOption,
  type Interaction,
  MessageFlags,
  PermissionFlagsBits,
} from "discord.js";
import type { AppPort } from "../../core/app-port.ts";
import type { Place, RawArgs } from "../../core/commands/command.ts";
import type { ChannelPort, Logger } from "../../core/ports.ts";
import { truncate } from "../../core/text/truncate.ts";
import { placeOf, senderOf } from "./place.ts";
import { answerByUpdate, answerInteraction } from "./respond.ts";

/** Discord's limits on autocomplete answers. */
const MAX_CHOICES = 25;
const MAX_CHOICE_LENGTH = 100;

/** What the interaction handler needs. */
export interface InteractionDeps {
  client: Client;
  app: AppPort;
  port: ChannelPort;
  logger: Logger;
  /** Wait this long for the core before deferring a command or button answer. */
  deferAfterMs: number;
  /** Autocomplete cannot be deferred: past this, answer with no choices. */
  autocompleteBudgetMs: number;
}

/** INTERACTION_CREATE → the core: slash commands, autocomplete and buttons. */
export function createInteractionHandler(deps: InteractionDeps) {
  return async (interaction: Interaction): Promise<void> => {
    if (interaction.isChatInputCommand()) await onCommand(deps, interaction);
    else if (interaction.isAutocomplete()) await onAutocomplete(deps, interaction);
    else if (interaction.isButton()) await onButton(deps, interaction);
  };
}

function placeFor(deps: InteractionDeps, interaction: Interaction): Place {
  return placeOf({
    client: deps.client,
    guildId: interaction.guildId,
    channelId: interaction.channelId ?? "",
    channel: interaction.channel,
    userId: interaction.user.id,
    // Computed by Discord for this channel (roles, overwrites, owner, Administrator).
    senderIsAdmin: async () => interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
    logger: deps.logger,
  });
}

async function onCommand(deps: InteractionDeps, interaction: ChatInputCommandInteraction): Promise<void> {
  const place = placeFor(deps, interaction);
  const { subcommand, options } = invocationOptions(interaction.options.data);
  const sender = senderOf(interaction.user);
  await answerInteraction({
    interaction,
    work: deps.app.handleCommand({ place, sender, name: interaction.commandName, subcommand, options }),
    deferAfterMs: deps.deferAfterMs,
    forceEphemeral: false,
    sendToChannel: async (reply) => void (await deps.port.send(place.conversation, reply)),
    logger: deps.logger,
  });
}

/** The subcommand an interaction names (a SUB_COMMAND option, type 1) and the options under it. */
export function invocationOptions(data: readonly CommandInteractionOption[]): {
  subcommand?: string | undefined;
  options: RawArgs;
} {
  const sub = data.find((o) => o.type === ApplicationCommandOptionType.Subcommand);
  const options: RawArgs = {};
  for (const option of sub ? (sub.options ?? []) : data) {
    if (option.value !== undefined) options[option.name] = String(option.value);
  }
  return { subcommand: sub?.name, options };
}

async function onButton(deps: InteractionDeps, interaction: ButtonInteraction): Promise<void> {
  const place = placeFor(deps, interaction);
  const work = deps.app.handleAction({
    place,
    sender: senderOf(interaction.user),
    data: interaction.customId,
    messageId: interaction.message.id,
  });
  // A button on an ephemeral message (a /threads page) turns that page; any other answer is a
  // new message only the presser sees (a public notice must not be rewritten for one person).
  if (interaction.message.flags.has(MessageFlags.Ephemeral)) {
    await answerByUpdate({ interaction, work, deferAfterMs: deps.deferAfterMs, logger: deps.logger });
    return;
  }
  await answerInteraction({
    interaction,
    work,
    deferAfterMs: deps.deferAfterMs,
    forceEphemeral: true,
    sendToChannel: async (reply) => void (await deps.port.send(place.conversation, reply)),
    logger: deps.logger,
  });
}

async function onAutocomplete(deps: InteractionDeps, interaction: AutocompleteInteraction): Promise<void> {
  const focused = interaction.options.getFocused(true);
  const work = deps.app
    .autocomplete({
      place: placeFor(deps, interaction),
      sender: senderOf(interaction.user),
      command: interaction.commandName,
      subcommand: interaction.options.getSubcommand(false) ?? undefined,
      param: focused.name,
      // Thread names are at most 100 characters: a longer query cannot match more.
      query: truncate(String(focused.value), MAX_CHOICE_LENGTH),
    })
    .catch((error: unknown) => {
      deps.logger.warn("discord: autocomplete failed", { error });
      return [];
    });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), deps.autocompleteBudgetMs);
  });
  const names = await Promise.race([work, late]);
  clearTimeout(timer);
  await interaction.respond(toChoices(names)).catch((error: unknown) => {
    deps.logger.warn("discord: could not answer autocomplete", { error });
  });
}

/** At most 25 distinct choices; a value Discord would refuse (empty, over 100) is left out. */
export function toChoices(names: readonly string[]): { name: string; value: string }[] {
  const seen = new Set<string>();
  const choices: { name: string; value: string }[] = [];
  for (const name of names) {
    if (name.length === 0 || name.length > MAX_CHOICE_LENGTH || seen.has(name)) continue;
    seen.add(name);
    choices.push({ name, value: name });
    if (choices.length === MAX_CHOICES) break;
  }
  return choices;
}
