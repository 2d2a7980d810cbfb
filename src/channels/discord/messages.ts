import { type Client, type Message, MessageType, PermissionFlagsBits } from "discord.js";
import type { AppPort } from "../../core/app-port.ts";
import type { Reply } from "../../core/commands/command.ts";
import type { Logger } from "../../core/ports.ts";
import { attachmentsOf } from "./attachments.ts";
import { filesOf } from "./files.ts";
import { placeOf, senderOf } from "./place.ts";
import { sendChunks } from "./port.ts";

const TEXT_COMMAND = /^\/([\w-]{1,32})(?:@\S*)?(?:\s+([\s\S]*))?$/;

/** A typed `/name rest` naming one of the app's commands (where slash commands are not offered, e.g. DMs). */
export function parseTextCommand(text: string, names: readonly string[]): { name: string; text: string } | undefined {
  const match = TEXT_COMMAND.exec(text.trim());
  const name = match?.[1]?.toLowerCase();
  if (!name || !names.includes(name)) return undefined;
  return { name, text: match?.[2]?.trim() ?? "" };
}

/**
 * MESSAGE_CREATE → the core. Bots (this one included), webhooks and system messages are ignored;
 * a typed `/command` becomes a CommandInvocation, anything else a MessageInvocation (a reply
 * carries the id of the message it answers, so a reply to a restart notice can resume; attached
 * files go with it, while stickers and polls are named, for the core to refuse rather than send
 * the text alone). The core's acknowledgement, if any, goes back as a reply to the message.
 */
export function createMessageHandler(deps: { client: Client; app: AppPort; logger: Logger }) {
  const { client, app, logger } = deps;
  return async (message: Message): Promise<void> => {
    if (message.author.bot || message.author.id === client.user?.id || message.webhookId) return;
    if (message.type !== MessageType.Default && message.type !== MessageType.Reply) return;
    const text = message.content;
    const attachments = attachmentsOf(message);
    const files = filesOf(message);
    if (text.trim().length === 0 && attachments.length === 0 && files.length === 0) return;
    const place = placeOf({
      client,
      guildId: message.guildId,
      channelId: message.channelId,
      channel: message.channel,
      userId: message.author.id,
      senderIsAdmin: () => hasManageGuild(message, logger),
      logger,
    });
    const sender = senderOf(message.author, message.member?.displayName);
    const names = app.commands.map((c) => c.name);
    const command = attachments.length === 0 && files.length === 0 ? parseTextCommand(text, names) : undefined;
    const reply: Reply | undefined = command
      ? await app.handleCommand({ place, sender, name: command.name, text: command.text })
      : await app.handleMessage({
          place,
          sender,
          text,
          messageId: message.id,
          replyToMessageId: message.reference?.messageId,
          attachments,
          files,
        });
    if (reply && message.channel.isSendable()) await sendChunks(message.channel, reply, message.id);
  };
}

/** Manage Server (or Administrator) in the message's guild; fetched when the member is not cached. */
async function hasManageGuild(message: Message, logger: Logger): Promise<boolean> {
  if (!message.guild) return false;
  try {
    const member = message.member ?? (await message.guild.members.fetch(message.author.id));
    return member.permissions.has(PermissionFlagsBits.ManageGuild);
  } catch (error) {
    logger.warn("discord: could not read a member's permissions", { guildId: message.guildId, error });
    return false;
  }
}
