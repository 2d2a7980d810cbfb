import type { UploadedFile } from "../multipart.ts";
import { keepAttachments, MAX_UPLOAD_BYTES } from "./cdn.ts";
import type { FakeContext } from "./context.ts";
import { messageCreate } from "./events.ts";
import { apiError, type FakeResponse, json, noContent, type Router, tooLarge, tooLong } from "./http.ts";
import { messageJson } from "./json.ts";
import { type FakeAttachment, type FakeUser, type StoredMessage, snowflake } from "./world.ts";

/** Discord's limit on message content, in UTF-16 units (JS length, the strict side). */
export const MAX_CONTENT = 2000;

/** Channel messages: create (also dispatched back over the gateway, as Discord does), edit, delete. */
export function addMessageRoutes(router: Router, ctx: FakeContext): void {
  const { world } = ctx;
  router
    .add("POST", "/channels/:channel/messages", (req) => {
      const body = req.body ?? {};
      const uploads = (Array.isArray(body._files) ? body._files : []) as UploadedFile[];
      // Discord refuses the whole message when one file is over the limit.
      if (uploads.some((file) => file.bytes.length > MAX_UPLOAD_BYTES)) return tooLarge();
      const files = uploads.map((file) => ({
        filename: file.filename,
        contentType: file.contentType ?? "application/octet-stream",
        bytes: file.bytes,
      }));
      const result = postMessage(ctx, { channelId: req.params.channel ?? "", author: world.bot, body, files });
      return "status" in result ? result : json(messageJson(world, result));
    })
    .add("PATCH", "/channels/:channel/messages/:message", (req) => {
      const message = world.messages.get(req.params.message ?? "");
      if (!message || message.deleted || message.channelId !== req.params.channel) {
        return apiError(404, 10008, "Unknown Message");
      }
      if (message.author.id !== world.bot.id)
        return apiError(403, 50005, "Cannot edit a message authored by another user");
      const body = req.body ?? {};
      if (typeof body.content === "string" && body.content.length > MAX_CONTENT) return tooLong();
      if (typeof body.content === "string") {
        message.edits.push(message.content);
        message.content = body.content;
      }
      if (Array.isArray(body.components)) message.components = body.components;
      return json(messageJson(world, message));
    })
    .add("DELETE", "/channels/:channel/messages/:message", (req) => {
      const message = world.messages.get(req.params.message ?? "");
      if (!message || message.channelId !== req.params.channel) return apiError(404, 10008, "Unknown Message");
      message.deleted = true;
      return noContent();
    });
}

/**
 * Validates and stores a message (from the bot over REST, or from a person via the test
 * builders) with its files, unarchives its thread as Discord does, and dispatches MESSAGE_CREATE.
 */
export function postMessage(
  ctx: FakeContext,
  input: { channelId: string; author: FakeUser; body: Record<string, unknown>; files?: FakeAttachment[] },
): StoredMessage | FakeResponse {
  const channel = ctx.world.channels.get(input.channelId);
  if (!channel) return apiError(404, 10003, "Unknown Channel");
  const content = typeof input.body.content === "string" ? input.body.content : "";
  const components = Array.isArray(input.body.components) ? input.body.components : [];
  if (content.length > MAX_CONTENT) return tooLong();
  const attachments = keepAttachments(ctx.origin(), channel.id, input.files ?? []);
  const stickers = (Array.isArray(input.body.stickers) ? input.body.stickers : []) as string[];
  if (content.length === 0 && components.length === 0 && attachments.length === 0 && stickers.length === 0)
    return apiError(400, 50006, "Cannot send an empty message");
  const reference = input.body.message_reference as { message_id?: string; fail_if_not_exists?: boolean } | undefined;
  const referenced = reference?.message_id ? ctx.world.messages.get(reference.message_id) : undefined;
  if (reference?.message_id && !referenced && reference.fail_if_not_exists !== false) {
    return apiError(400, 50035, "Invalid Form Body: Unknown message");
  }
  if (channel.thread?.locked) return apiError(403, 50083, "Thread is locked");
  if (channel.thread) channel.thread.archived = false;
  const message: StoredMessage = {
    id: snowflake(),
    channelId: channel.id,
    author: input.author,
    content,
    components,
    flags: Number(input.body.flags ?? 0),
    type: referenced ? 19 : 0,
    ...(referenced ? { referenceId: referenced.id } : {}),
    attachments,
    stickers,
    edits: [],
    deleted: false,
  };
  ctx.world.messages.set(message.id, message);
  ctx.gateway.dispatch("MESSAGE_CREATE", messageCreate(ctx, message));
  return message;
}
