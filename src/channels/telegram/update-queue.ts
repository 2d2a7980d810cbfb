import type { Update } from "grammy/types";

/** Where webhook updates wait, durably, until one process handles them. */
export interface UpdateQueue {
  /**
   * Records an update durably; resolves false when its update_id was recorded before (a redelivery,
   * handled or not). Resolves only once it is durable; rejects when it cannot be recorded (the
   * webhook then answers 503 so Telegram delivers it again).
   */
  put(update: Update): Promise<boolean>;
  /** Recorded updates not yet done, lowest update_id first, at most `limit`. */
  pending(limit: number): Promise<Update[]>;
  /** Marks an update handled; its id is remembered (for redeliveries) for a day. */
  done(updateId: number): Promise<void>;
  /** Calls `listener` after put() recorded a new update; returns an unsubscribe. */
  onPut(listener: () => void): () => void;
}
