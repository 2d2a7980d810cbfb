import { Client, GatewayIntentBits, Partials } from "discord.js";

/**
 * Exactly the intents the adapter needs: Guilds (guild, channel and thread cache; ClientReady
 * waits for GUILD_CREATE), GuildMessages and DirectMessages (MESSAGE_CREATE), MessageContent
 * (privileged: without it guild messages arrive empty). Interactions need no intent.
 */
export const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
] as const;

/**
 * A discord.js client; `apiRoot` (e.g. `http://127.0.0.1:PORT/api`) redirects REST, and the
 * gateway URL then comes from that server's GET /gateway/bot. Partials.Channel lets DMs and
 * messages in uncached threads through instead of being dropped silently.
 */
export function createClient(options: { apiRoot?: string | undefined }): Client {
  return new Client({
    intents: [...INTENTS],
    partials: [Partials.Channel],
    ...(options.apiRoot ? { rest: { api: options.apiRoot } } : {}),
  });
}
