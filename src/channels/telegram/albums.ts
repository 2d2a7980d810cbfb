import type { Message } from "grammy/types";

/** How long an album waits for more parts after its last one arrived (Telegram sends them one by one). */
export const ALBUM_QUIET_MS = 600;

/** Telegram's largest album: the tenth part is the last, so the album need not wait any longer. */
const ALBUM_MAX_PARTS = 10;

interface Album {
  parts: Message[];
  timer: ReturnType<typeof setTimeout>;
  close: () => void;
  /** Settles when the album was handled (the handler of every part awaits it). */
  handled: Promise<void>;
}

/**
 * Albums being collected. A person's album reaches the bot as several messages sharing a
 * `media_group_id`, each an update of its own; the agent should get them as one message. The first
 * part starts the album's handling at once (so it takes its place in the conversation order before
 * anything that came after it); that handling waits until no part has arrived for `quietMs`.
 */
export class AlbumCollector {
  readonly #open = new Map<string, Album>();
  readonly #quietMs: number;

  constructor(quietMs = ALBUM_QUIET_MS) {
    this.#quietMs = quietMs;
  }

  /**
   * Adds a part of album `groupId`. For the first part, `start` is called with the album's parts
   * once it is complete and its promise is the album's handling; every part resolves with it, so no
   * part's update is confirmed to Telegram before the whole album was handled.
   */
  add(message: Message, groupId: string, start: (parts: Promise<Message[]>) => Promise<void>): Promise<void> {
    const key = `${message.chat.id}:${groupId}`;
    const album = this.#open.get(key);
    if (album) {
      album.parts.push(message);
      this.#rearm(album);
      return album.handled;
    }
    let close = () => {};
    const complete = new Promise<Message[]>((resolve) => {
      close = () => {
        this.#open.delete(key);
        resolve(fresh.parts.sort((a, b) => a.message_id - b.message_id));
      };
    });
    const fresh: Album = {
      parts: [message],
      timer: setTimeout(close, this.#quietMs),
      close,
      handled: Promise.resolve(),
    };
    this.#open.set(key, fresh);
    fresh.handled = start(complete);
    return fresh.handled;
  }

  #rearm(album: Album): void {
    clearTimeout(album.timer);
    if (album.parts.length >= ALBUM_MAX_PARTS) album.close();
    else album.timer = setTimeout(album.close, this.#quietMs);
  }
}
