import { type Client, DiscordAPIError, type Message, Routes, type SendableChannels } from "discord.js";
import { z } from "zod";
import { BotError, ErrorCode } from "../../core/errors.ts";
import { discordKey } from "../../core/keys/conversation-key.ts";
import type { ChannelPort, FileContent, Logger, OutgoingFile, OutgoingMessage } from "../../core/ports.ts";
import { splitMessage } from "../../core/turns/split.ts";
import { safeFileName } from "../file-names.ts";
import { PostQueue } from "./queue.ts";
import { MAX_CONTENT, payloadOf } from "./render.ts";
import { renameDiscordThread } from "./thread-rename.ts";

// Discord allows 5 edits per 5 s per channel; one a second leaves room for the other messages.
const MIN_EDIT_INTERVAL_MS = 1_000;

/** Discord's upload limit for a bot in a server without boosts (boosted servers take more). */
export const DISCORD_UPLOAD_MAX_BYTES = 10 * 1024 * 1024;

/** The channel a conversation key names: a guild channel or thread, or the DM with a user. */
export async function resolveChannel(client: Client, conversation: string): Promise<SendableChannels> {
  const key = discordKey.decode(conversation);
  if (!key) throw new BotError(ErrorCode.BadInput, `Not a Discord conversation: ${conversation}`);
  if ("dmUserId" in key) return platformCall("open a DM", () => client.users.createDM(key.dmUserId));
  const channel =
    client.channels.cache.get(key.channelId) ??
    (await platformCall("fetch a channel", () => client.channels.fetch(key.channelId)));
  if (!channel?.isSendable() || !("guildId" in channel) || channel.guildId !== key.guildId) {
    throw new BotError(ErrorCode.NotFound, "That Discord channel is gone or the bot cannot write there.", {
      details: { conversation },
    });
  }
  return channel;
}

/** Runs a Discord call; its failure becomes BotError(PLATFORM) with the API code for the logs. */
export async function platformCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof BotError) throw error;
    const details = error instanceof DiscordAPIError ? { code: error.code, status: error.status, action } : { action };
    throw new BotError(ErrorCode.Platform, `Discord refused to ${action}.`, { cause: error, details });
  }
}

/**
 * Sends a message, split at the limit if it is longer (buttons on the last part), optionally as a
 * reply to `replyTo`; resolves with the id of the first message.
 */
export async function sendChunks(
  channel: SendableChannels,
  message: OutgoingMessage,
  replyTo?: string,
): Promise<string> {
  const parts = message.text.length > MAX_CONTENT ? splitMessage(message.text, MAX_CONTENT) : [message.text];
  let firstId: string | undefined;
  for (const [index, text] of parts.entries()) {
    const part: OutgoingMessage = { ...message, text, buttons: index === parts.length - 1 ? message.buttons : [] };
    const reply = replyTo && index === 0 ? { reply: { messageReference: replyTo, failIfNotExists: false } } : {};
    const sent = await platformCall<Message>("send a message", () => channel.send({ ...payloadOf(part), ...reply }));
    firstId ??= sent.id;
  }
  return firstId ?? "";
}

/** Pieces gathered before they are copied into a Blob (see blobOf). */
const BLOB_BATCH_BYTES = 1024 * 1024;

/** What Discord answers a message create with, as far as the bot reads it. */
const CreatedMessage = z.object({ id: z.string() });

/**
 * Posts a file as a message with one attachment (an image shows inline). It goes through the same
 * REST route (and rate-limit queue) as text messages, so it stays in order behind the messages sent
 * before it. The multipart form is built here rather than by `channel.send`: discord.js takes an
 * attachment only as whole bytes, and @discordjs/rest copies them into a Blob for each attempt, so the
 * file would be in memory twice. Here it is read piece by piece into one Blob, which undici streams
 * into the request and streams again when a 429 makes @discordjs/rest retry. The file is then in
 * memory once (at most the 10 MB limit; an export sends its parts one at a time), the least Discord
 * allows: measured for an 8 MB file in a process run as npm start runs the bot, against a server that
 * only reads the body, peak RSS growth 4–19 MB this way and 8–45 MB through channel.send.
 */
export async function sendFile(channel: SendableChannels, file: OutgoingFile): Promise<string> {
  const name = safeFileName(file.fileName, file.mimeType);
  const form = new FormData();
  const payload = { attachments: [{ id: 0, filename: name }], allowed_mentions: { parse: [] } };
  form.append("payload_json", JSON.stringify(payload));
  form.append("files[0]", await blobOf(file.content, file.mimeType), name);
  const route = Routes.channelMessages(channel.id);
  const sent = await platformCall("send a file", () =>
    channel.client.rest.post(route, { body: form, passThroughBody: true }),
  );
  return CreatedMessage.parse(sent).id;
}

/**
 * The content as one Blob, in memory once: Node copies the bytes a Blob is made of, but a Blob made
 * of Blobs only refers to them, so pieces are copied a batch at a time and the batches joined.
 */
async function blobOf(content: FileContent, type: string): Promise<Blob> {
  const batches: Blob[] = [];
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  for await (const piece of content.open()) {
    batch.push(piece);
    batchBytes += piece.byteLength;
    if (batchBytes < BLOB_BATCH_BYTES) continue;
    batches.push(new Blob(batch));
    batch = [];
    batchBytes = 0;
  }
  batches.push(new Blob(batch));
  const blob = new Blob(batches, { type });
  if (blob.size !== content.size) throw new Error(`file content is ${blob.size} bytes, expected ${content.size}`);
  return blob;
}

/** ChannelPort over a discord.js client: send, edit, typing and files in any Discord conversation. */
export function createDiscordPort(options: { client: Client; logger: Logger }): ChannelPort {
  const { client, logger } = options;
  const posts = new PostQueue();
  return {
    platform: "discord",
    maxMessageLength: MAX_CONTENT,
    minEditIntervalMs: MIN_EDIT_INTERVAL_MS,
    send(conversation, message) {
      return posts.run(conversation, async () => {
        const channel = await resolveChannel(client, conversation);
        if (message.text.length > MAX_CONTENT)
          logger.warn("discord: message over the limit split by the adapter", { conversation });
        return sendChunks(channel, message);
      });
    },
    async edit(conversation, messageId, message) {
      if (message.text.length > MAX_CONTENT) {
        throw new BotError(ErrorCode.BadInput, `An edit is limited to ${MAX_CONTENT} characters.`);
      }
      const channel = await resolveChannel(client, conversation);
      await platformCall("edit a message", () => channel.messages.edit(messageId, payloadOf(message)));
    },
    async typing(conversation) {
      const channel = await resolveChannel(client, conversation);
      await platformCall("show typing", () => channel.sendTyping());
    },
    maxFileBytes: DISCORD_UPLOAD_MAX_BYTES,
    sendFile(conversation, file) {
      return posts.run(conversation, async () => sendFile(await resolveChannel(client, conversation), file));
    },
    renameThread: (conversation, name) => renameDiscordThread(client, conversation, name),
  };
}
