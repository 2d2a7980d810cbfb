import { GrammyError, HttpError } from "grammy";
import { BotError, ErrorCode } from "../../core/errors.ts";

/** Telegram's answer when an edit would not change the message. */
export function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && error.description.includes("message is not modified");
}

/** Telegram rejected our HTML markup. */
export function isParseError(error: unknown): boolean {
  return error instanceof GrammyError && error.description.includes("can't parse entities");
}

/** The topic is gone (deleted), so reopening it cannot work and a new one is needed. */
export function isTopicGone(error: unknown): boolean {
  return error instanceof GrammyError && /TOPIC_ID_INVALID|TOPIC_DELETED|thread not found/i.test(error.description);
}

/** The supergroup a group became, when Telegram refuses a call on the group's old id because of it. */
export function upgradedTo(error: unknown): number | undefined {
  return error instanceof GrammyError ? error.parameters.migrate_to_chat_id : undefined;
}

/** Telegram would not take an image as a photo (its size, pixels or ratio); as a document it can go. */
export function isPhotoRefused(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    /PHOTO_INVALID_DIMENSIONS|PHOTO_SAVE_FILE_INVALID|PHOTO_EXT_INVALID|IMAGE_PROCESS_FAILED/.test(error.description)
  );
}

/** Reopening a topic that is already open. */
export function isTopicAlreadyOpen(error: unknown): boolean {
  return error instanceof GrammyError && error.description.includes("TOPIC_NOT_MODIFIED");
}

/**
 * Log fields for an error with the bot token removed: grammY and node-fetch put the request
 * URL (which contains the token) into network error messages.
 */
export function errorFields(error: unknown, token: string): Record<string, unknown> {
  const redact = (text: string) => text.split(token).join("[redacted]");
  if (error instanceof GrammyError) {
    return {
      error: { name: error.name, method: error.method, code: error.error_code, description: error.description },
    };
  }
  if (error instanceof HttpError) {
    const cause = error.error instanceof Error ? redact(error.error.message) : undefined;
    return { error: { name: error.name, message: redact(error.message), cause } };
  }
  if (error instanceof Error) return { error: { name: error.name, message: redact(error.message) } };
  return { error: redact(String(error)) };
}

/** Wraps a failed Bot API call into the core's PLATFORM error with a message safe to show. */
export function platformError(what: string, error: unknown): BotError {
  if (error instanceof BotError) return error;
  const reason = error instanceof GrammyError ? `: ${error.description}` : "";
  const details = error instanceof GrammyError ? { method: error.method, code: error.error_code } : undefined;
  // Keep only the safe description: the original error may carry the token in its URL.
  return new BotError(ErrorCode.Platform, `Telegram refused to ${what}${reason}`, { details });
}
