import type { IncomingMessage } from "node:http";
import type { Attachment, Message } from "discord.js";
import { BotError, ErrorCode } from "../../core/errors.ts";
import type { InboundFile } from "../../core/turns/attachments.ts";
import { httpGet } from "../http-get.ts";

/** The image types a model reads; any other attachment goes as a file. */
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

// A stalled download would hold the message (and the update's handler) back; 25 MB takes seconds.
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

/**
 * The files attached to a message, for the agent, downloaded only when the core asks. Discord
 * puts no ceiling of its own on what a bot downloads, so only the agent's limits apply.
 */
export function filesOf(message: Pick<Message, "attachments">): InboundFile[] {
  return [...message.attachments.values()].map((attachment) => ({
    kind: IMAGE_TYPES.has(baseType(attachment.contentType)) ? "image" : "file",
    fileName: attachment.name,
    mimeType: attachment.contentType ?? undefined,
    size: attachment.size,
    platform: "Discord",
    download: () => download(attachment),
  }));
}

/** `image/png` of `image/png; charset=…`, lower case. */
function baseType(contentType: string | null): string {
  return contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
}

/** Streams an attachment from Discord's CDN; rejects when it is gone (deleted, or its link expired). */
async function download(attachment: Attachment): Promise<AsyncIterable<Uint8Array>> {
  let response: IncomingMessage;
  try {
    response = await httpGet(attachment.url, DOWNLOAD_TIMEOUT_MS);
  } catch (error) {
    const name = error instanceof Error ? error.name : "unknown";
    throw new BotError(ErrorCode.Platform, "Could not reach Discord to download a file.", { details: { name } });
  }
  if (response.statusCode !== 200) {
    response.resume();
    throw new BotError(ErrorCode.Platform, `Discord refused to send the file (HTTP ${response.statusCode}).`, {
      details: { status: response.statusCode },
    });
  }
  return response;
}
