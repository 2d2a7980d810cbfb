import { BotError, ErrorCode } from "./errors.ts";
import { type Platform, platformOf } from "./keys/conversation-key.ts";
import type { ChannelPort } from "./ports.ts";

/** The channels that are running, found by the platform of a conversation key. */
export class Channels {
  readonly #byPlatform = new Map<Platform, ChannelPort>();

  /** Registers a running channel. */
  add(channel: ChannelPort): void {
    this.#byPlatform.set(channel.platform, channel);
  }

  /** The channel that serves `conversation`; throws PLATFORM when that channel is not running. */
  for(conversation: string): ChannelPort {
    const platform = platformOf(conversation);
    const channel = this.#byPlatform.get(platform);
    if (!channel) throw new BotError(ErrorCode.Platform, `The ${platform} channel is not running.`);
    return channel;
  }

  /** True when a channel serves `conversation`'s platform. */
  has(conversation: string): boolean {
    try {
      return this.#byPlatform.has(platformOf(conversation));
    } catch {
      return false;
    }
  }
}
