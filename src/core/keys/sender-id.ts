import { BotError, ErrorCode } from "../errors.ts";
import type { Platform } from "./conversation-key.ts";

/** Who sent something, in structured form; encoded only by the codec below. */
export interface SenderParts {
  platform: Platform;
  /** The platform's user id (Telegram, Discord), or the name of the person at a console. */
  userId: string;
}

// Platform user ids are opaque, as in conversation keys: never case-folded, never parsed as numbers.
const USER_ID = "[^:\\s]{1,64}";
const PLATFORM_USER = new RegExp(`^(telegram|discord):(${USER_ID})$`);
// Console names are a terminal's operator name, in the console conversation key's alphabet.
const CONSOLE_USER = /^console:([A-Za-z0-9._-]{1,64})$/;

/**
 * Sender ids: `telegram:<userId>`, `discord:<userId>` or `console:<name>`, the form ALLOWED_USERS and
 * ADMIN_USERS list people in (so a change here is a change to every operator's configuration).
 */
export const senderId = {
  encode({ platform, userId }: SenderParts): string {
    const id = `${platform}:${userId}`;
    if (!senderId.decode(id))
      throw new BotError(ErrorCode.BadInput, `Invalid ${platform} user id: ${JSON.stringify(userId)}`);
    return id;
  },
  decode(id: string): SenderParts | undefined {
    const platform = PLATFORM_USER.exec(id);
    if (platform?.[1] && platform[2]) return { platform: platform[1] as "telegram" | "discord", userId: platform[2] };
    const terminal = CONSOLE_USER.exec(id);
    return terminal?.[1] ? { platform: "console", userId: terminal[1] } : undefined;
  },
};
