/**
 * The Discord channel: discord.js events in, the core's replies and messages out.
 * @module
 */
import { type Client, Events } from "discord.js";
import type { AppPort } from "../../core/app-port.ts";
import { BotError, ErrorCode } from "../../core/errors.ts";
import type { ChannelPort, Logger } from "../../core/ports.ts";
import { createClient } from "./client.ts";
import { createInteractionHandler } from "./interactions.ts";
import { createMessageHandler } from "./messages.ts";
import { createDiscordPort } from "./port.ts";
import { registerCommands } from "./slash-commands.ts";

/** Options of createDiscordChannel. */
export interface DiscordChannelOptions {
  /** The bot token (never logged). */
  token: string;
  /** REST root such as `http://127.0.0.1:PORT/api` (DISCORD_API_ROOT); the gateway URL is discovered from it. */
  apiRoot?: string | undefined;
  /** Register slash commands in these guilds (DISCORD_GUILD_IDS) instead of globally. */
  guildIds?: readonly string[] | undefined;
  app: AppPort;
  logger: Logger;
  /** How long to wait for the core before deferring an interaction (default 2 s of Discord's 3). */
  deferAfterMs?: number | undefined;
  /** Autocomplete cannot be deferred: past this it answers with no choices (default 2.5 s). */
  autocompleteBudgetMs?: number | undefined;
}

/** A running (or startable) Discord channel. */
export interface DiscordChannel {
  /** The port the core sends, edits and shows typing through. */
  channel: ChannelPort;
  /** The discord.js client (for diagnostics; the adapter owns it). */
  client: Client;
  /** Logs in, waits for the guilds, registers the slash commands. */
  start(): Promise<void>;
  /** Disconnects and releases the client. */
  stop(): Promise<void>;
}

/**
 * Builds the Discord channel around a discord.js client with exactly the intents it needs.
 * @example
 * const discord = createDiscordChannel({ token, apiRoot, guildIds, app: bot.app, logger });
 * bot.channels.add(discord.channel);
 * await discord.start();
 */
export function createDiscordChannel(options: DiscordChannelOptions): DiscordChannel {
  const { app, logger } = options;
  const client = createClient({ apiRoot: options.apiRoot });
  const port = createDiscordPort({ client, logger });
  const onMessage = createMessageHandler({ client, app, logger });
  const onInteraction = createInteractionHandler({
    client,
    app,
    port,
    logger,
    deferAfterMs: options.deferAfterMs ?? 2_000,
    autocompleteBudgetMs: options.autocompleteBudgetMs ?? 2_500,
  });
  // discord.js does not await listeners: a slow answer never holds up the next event.
  client.on(Events.MessageCreate, (message) => {
    onMessage(message).catch((error: unknown) => logger.error("discord: message handling failed", { error }));
  });
  client.on(Events.InteractionCreate, (interaction) => {
    onInteraction(interaction).catch((error: unknown) => logger.error("discord: interaction failed", { error }));
  });
  client.on(Events.Error, (error) => logger.error("discord: client error", { error }));
  client.on(Events.Warn, (message) => logger.warn("discord: client warning", { message }));
  return {
    channel: port,
    client,
    start: () => start(client, options),
    stop: async () => {
      await client.destroy();
    },
  };
}

async function start(client: Client, options: DiscordChannelOptions): Promise<void> {
  // Listen before login: against a nearby server, ready can fire before login() resolves.
  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  try {
    await client.login(options.token);
  } catch (error) {
    await client.destroy();
    throw new BotError(ErrorCode.Platform, "Discord refused to log in (check DISCORD_BOT_TOKEN).", { cause: error });
  }
  const readyClient = await ready;
  options.logger.info("discord: connected", { user: readyClient.user.tag, guilds: readyClient.guilds.cache.size });
  await registerCommands({
    client: readyClient,
    definitions: options.app.commands,
    guildIds: options.guildIds ?? [],
    logger: options.logger,
  });
}
