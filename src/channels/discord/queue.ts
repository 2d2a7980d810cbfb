/**
 * Posts to one conversation go out one after another, in the order they were asked for. discord.js
 * queues requests per route, but a message with a file first resolves its attachments (async), so a
 * text asked for after a file could reach the route's queue first and be shown above it.
 */
export class PostQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `post` after the posts asked for earlier in `conversation`; a failed one does not stop the next. */
  run<T>(conversation: string, post: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(conversation) ?? Promise.resolve();
    const result = before.then(post);
    const tail = result.catch(() => undefined);
    this.#tails.set(conversation, tail);
    void tail.then(() => {
      if (this.#tails.get(conversation) === tail) this.#tails.delete(conversation);
    });
    return result;
  }
}
