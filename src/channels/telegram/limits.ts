import { autoRetry } from "@grammyjs/auto-retry";
import { type APIThrottlerOptions, apiThrottler } from "@grammyjs/transformer-throttler";
import type { Api, Transformer } from "grammy";

/** Flood-limit and retry settings; the defaults follow Telegram's published limits. */
export interface TelegramLimits {
  /**
   * Bottleneck settings of @grammyjs/transformer-throttler (defaults: 30 messages/s overall, spaced
   * ≥ 34 ms apart; 1/s per private chat, 1/s and 20/min per group); `false` turns throttling off.
   */
  throttle?: APIThrottlerOptions | false | undefined;
  /** How often a call refused with 429 (or a 5xx) is retried. */
  maxRetryAttempts?: number | undefined;
  /** Longest retry_after worth waiting for; a longer one fails the call. */
  maxRetryDelaySeconds?: number | undefined;
}

// Only calls that post or change messages count against Telegram's flood limits; reads such as
// getChatMember and typing would otherwise queue behind a streaming answer.
const THROTTLED = new Set([
  "sendMessage",
  "sendPhoto",
  "sendDocument",
  "editMessageText",
  "editMessageReplyMarkup",
  "createForumTopic",
  "reopenForumTopic",
  "editForumTopic",
]);

/**
 * Telegram's 30 messages/s overall, with the messages spaced at least 34 ms apart: the library's
 * default refills 30 slots at once every second, so a burst just after a refill puts 31 in one
 * rolling second, Telegram answers 429, and a fan-out of notices stalls a second each time
 * (`npm run bench -- fanout`: ratio 0.64–0.72 without the spacing, 0.97 with it).
 */
const DEFAULT_THROTTLE: APIThrottlerOptions = {
  global: { reservoir: 30, reservoirRefreshAmount: 30, reservoirRefreshInterval: 1000, minTime: 34 },
};

/**
 * Installs auto-retry (429 retry_after, 5xx, network errors) inside the throttler. The order
 * matters: a retried call keeps its place in its chat's queue, so messages stay in order.
 */
export function installLimits(api: Api, limits: TelegramLimits = {}): void {
  api.config.use(
    autoRetry({
      maxRetryAttempts: limits.maxRetryAttempts ?? 10,
      maxDelaySeconds: limits.maxRetryDelaySeconds ?? 300,
    }),
  );
  if (limits.throttle === false) return;
  const throttle = apiThrottler(limits.throttle ?? DEFAULT_THROTTLE);
  const selective: Transformer = (prev, method, payload, signal) =>
    THROTTLED.has(method) ? throttle(prev, method, payload, signal) : prev(method, payload, signal);
  // grammY applies the last installed transformer first: the throttler wraps auto-retry.
  api.config.use(selective);
}
