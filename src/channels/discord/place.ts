import type { Channel, Client, User } from "discord.js";
import type { Place, Sender } from "../../core/commands/command.ts";
import { discordKey } from "../../core/keys/conversation-key.ts";
import { senderId } from "../../core/keys/sender-id.ts";
import type { Logger } from "../../core/ports.ts";
import { CONTAINER_TYPES, openNativeThread } from "./native-thread.ts";

/** Where an event happened, in discord.js terms. */
export interface PlaceSource {
  client: Client;
  guildId: string | null;
  channelId: string;
  /** The channel, possibly partial or unknown (then no native threads are offered). */
  channel: Channel | null;
  userId: string;
  /** Whether the sender has Manage Server in this guild (guild places only). */
  senderIsAdmin: () => Promise<boolean>;
  logger: Logger;
}

/**
 * The core's Place for a Discord event: a guild channel or thread is `discord:<guild>:<channel>`
 * (a thread is its own channel), a DM is `discord:dm:<user>`. Text and forum channels can open
 * native threads; threads and DMs bind themselves.
 */
export function placeOf(source: PlaceSource): Place {
  const { client, guildId, channelId, logger } = source;
  if (guildId === null) return { conversation: discordKey.encodeDm(source.userId), direct: true };
  const container = source.channel !== null && CONTAINER_TYPES.includes(source.channel.type);
  return {
    conversation: discordKey.encode(guildId, channelId),
    direct: false,
    openNativeThread: container
      ? (request) => openNativeThread({ client, guildId, containerId: channelId, request, logger })
      : undefined,
    senderIsSpaceAdmin: source.senderIsAdmin,
  };
}

/** The core's Sender: `discord:<userId>`, with a display name for logs. */
export function senderOf(user: User, displayName?: string | null): Sender {
  return {
    id: senderId.encode({ platform: "discord", userId: user.id }),
    name: displayName ?? user.globalName ?? user.username,
  };
}
