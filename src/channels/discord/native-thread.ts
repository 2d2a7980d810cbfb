import {
  type AnyThreadChannel,
  ChannelFlags,
  ChannelType,
  type Client,
  type FetchedThreads,
  type FetchedThreadsMore,
  type ForumChannel,
  type MediaChannel,
  type NewsChannel,
  type TextChannel,
} from "discord.js";
import { BotError, ErrorCode } from "../../core/errors.ts";
import { discordKey } from "../../core/keys/conversation-key.ts";
import type { Logger } from "../../core/ports.ts";
import { truncate } from "../../core/text/truncate.ts";
import { platformCall } from "./port.ts";
import { contentOf } from "./render.ts";

/** A channel that hosts native threads: text and announcement channels, forums and media channels. */
export type ThreadContainer = TextChannel | NewsChannel | ForumChannel | MediaChannel;

/** Channel types for which a Place offers openNativeThread. */
export const CONTAINER_TYPES: readonly ChannelType[] = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.GuildForum,
  ChannelType.GuildMedia,
];

const MAX_THREAD_NAME = 100;
const REASON = "threadkeeper: /thread";

/**
 * Opens the Discord thread for a named thread inside a container and returns its conversation
 * key: the one opened before (`existing`), else one the bot opened earlier with the same name
 * (active or archived), unarchived and rejoined; else a new public thread (a post in a forum).
 */
export async function openNativeThread(input: {
  client: Client;
  guildId: string;
  containerId: string;
  request: { name: string; slug: string; existing?: string | undefined };
  logger: Logger;
}): Promise<string> {
  const { client, guildId, request, logger } = input;
  const container = await fetchContainer(client, input.containerId);
  const title = truncate(request.name.trim(), MAX_THREAD_NAME) || request.slug;
  const botId = client.user?.id;
  const earlier =
    (await fetchExisting(client, guildId, container, request.existing)) ?? (await findByName(container, title, botId));
  if (earlier) {
    await revive(earlier);
    logger.info("discord: reopened a thread", { guildId, threadId: earlier.id, slug: request.slug });
    return discordKey.encode(guildId, earlier.id);
  }
  const created = await platformCall<AnyThreadChannel>("create a thread", () => createThread(container, title));
  logger.info("discord: opened a thread", { guildId, threadId: created.id, slug: request.slug });
  return discordKey.encode(guildId, created.id);
}

async function fetchContainer(client: Client, id: string): Promise<ThreadContainer> {
  const channel =
    client.channels.cache.get(id) ?? (await platformCall("fetch a channel", () => client.channels.fetch(id)));
  if (!channel || !CONTAINER_TYPES.includes(channel.type)) {
    throw new BotError(ErrorCode.BadInput, "Threads can only be opened in a text or forum channel.");
  }
  return channel as ThreadContainer;
}

/** The thread named by `existing`, if it still exists under this container. */
async function fetchExisting(
  client: Client,
  guildId: string,
  container: ThreadContainer,
  existing: string | undefined,
): Promise<AnyThreadChannel | undefined> {
  const key = existing === undefined ? undefined : discordKey.decode(existing);
  if (!key || !("guildId" in key) || key.guildId !== guildId) return undefined;
  // Fresh from Discord: the cached archived flag may be stale. A thread deleted since (or never
  // visible to us) is simply not found, and a new one is opened.
  const channel = await client.channels.fetch(key.channelId, { force: true }).catch(() => null);
  return channel?.isThread() && channel.parentId === container.id ? channel : undefined;
}

/** A thread the bot opened earlier in this container with this name, active first, then archived. */
async function findByName(container: ThreadContainer, title: string, botId: string | undefined) {
  const mine = (thread: AnyThreadChannel) => thread.name === title && thread.ownerId === botId;
  const active = await platformCall<FetchedThreads>("list active threads", () => container.threads.fetchActive());
  const found = active.threads.find(mine);
  if (found) return found;
  const archived = await platformCall<FetchedThreadsMore>("list archived threads", () =>
    container.threads.fetchArchived({ type: "public", limit: 100 }),
  );
  return archived.threads.find(mine);
}

/** Unarchives (Discord refuses to add members to an archived thread) and rejoins. */
async function revive(thread: AnyThreadChannel): Promise<void> {
  if (thread.archived) await platformCall<unknown>("unarchive a thread", () => thread.setArchived(false, REASON));
  await platformCall<unknown>("join a thread", () => thread.join());
}

async function createThread(container: ThreadContainer, title: string): Promise<AnyThreadChannel> {
  if (container.type === ChannelType.GuildForum || container.type === ChannelType.GuildMedia) {
    // A forum post needs a starter message, and a tag when the forum requires one.
    const tag = container.flags.has(ChannelFlags.RequireTag) ? container.availableTags[0]?.id : undefined;
    return container.threads.create({
      name: title,
      message: {
        content: contentOf(`Thread "${title}": what you write in this post goes to its agent session.`, "plain"),
        allowedMentions: { parse: [] },
      },
      ...(tag ? { appliedTags: [tag] } : {}),
      reason: REASON,
    });
  }
  return container.threads.create({ name: title, reason: REASON });
}
