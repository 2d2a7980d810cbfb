import type { AnyThreadChannel, Client } from "discord.js";
import { discordKey } from "../../core/keys/conversation-key.ts";
import { truncate } from "../../core/text/truncate.ts";
import { platformCall } from "./port.ts";

/** Discord's longest thread name. */
const MAX_THREAD_NAME = 100;

/**
 * Renames the Discord thread a conversation key names (PATCH /channels/:id {name}). A plain channel
 * or a DM is left alone: only threads show a thread's name. A thread deleted since is not an error.
 */
export async function renameDiscordThread(client: Client, conversation: string, name: string): Promise<void> {
  const key = discordKey.decode(conversation);
  if (!key || !("channelId" in key)) return;
  const channel = await client.channels.fetch(key.channelId).catch(() => null);
  if (!channel?.isThread() || channel.name === name) return;
  const thread: AnyThreadChannel = channel;
  await platformCall("rename the thread", async () => {
    await thread.setName(truncate(name, MAX_THREAD_NAME), "threadkeeper: rename");
  });
}
