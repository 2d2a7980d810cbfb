import type { JournalEntry } from "../model.ts";
import type { Clock, Logger, StorePort } from "../ports.ts";
import { texts } from "../texts.ts";
import type { MediaDelivery } from "./media.ts";
import { nextAction } from "./next-action.ts";
import type { TranscriptAnswer } from "./transcript.ts";
import type { Watches } from "./watches.ts";

/** What a transcript showed of a reply's files. */
export type TranscriptFiles = Pick<TranscriptAnswer, "media" | "mediaPending">;

/** How a followed turn ended. */
export type TurnEnd = "done" | "failed" | "aborted";

/** Listener called after a followed turn's answer was shown and its entry closed. */
export type TurnEndListener = (entry: JournalEntry, status: TurnEnd) => void;

/**
 * The end of a followed turn: shows the last text, closes the journal entry, writes the thread's
 * checkpoint, and tells the listeners — once per turn, whichever event ends it first.
 */
export class TurnFinisher {
  readonly #store: StorePort;
  readonly #watches: Watches;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #listeners: TurnEndListener[] = [];
  readonly #media: MediaDelivery;

  constructor(options: { store: StorePort; watches: Watches; clock: Clock; logger: Logger; media: MediaDelivery }) {
    this.#store = options.store;
    this.#media = options.media;
    this.#watches = options.watches;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  /** Adds a listener for the end of every followed turn. */
  onTurnEnd(listener: TurnEndListener): void {
    this.#listeners.push(listener);
  }

  /**
   * Ends turn `turnId` with `text` (a no-op when it is not followed, or already ended); a reply's files
   * follow its text (`files`: what the transcript showed of them, when the end was read there).
   */
  async finish(turnId: string, text: string, status: TurnEnd, files?: TranscriptFiles): Promise<void> {
    const watch = this.#watches.get(turnId);
    if (!watch) return;
    this.#watches.delete(turnId);
    const { entry } = watch;
    await watch.progress.finish(status === "done" ? "done" : status === "aborted" ? "stopped" : "failed");
    try {
      // A stopped answer keeps what was shown of it (the abort's own text, else what streamed), marked.
      if (status === "aborted") await watch.stream.finish(markStopped(text || watch.stream.text, watch.steered));
      else await watch.stream.finish(text.trim() ? text : texts.noAnswer);
    } catch (error) {
      this.#logger.error("could not deliver an answer", { turnId, error });
    }
    const hasFiles = watch.expectsMedia || (files?.media.length ?? 0) > 0 || files?.mediaPending;
    if (status === "done" && hasFiles) await this.#media.deliver(entry, files);
    await this.#store.update({
      journal: { [turnId]: null },
      threads: { [entry.slug]: { state: "idle", lastActivityAt: this.#clock.now() } },
      checkpoints: { [entry.slug]: this.#checkpointAtEnd(entry, text, status) },
    });
    watch.settle();
    for (const listener of this.#listeners) listener(entry, status);
  }

  #checkpointAtEnd(entry: JournalEntry, text: string, status: TurnEnd) {
    // A turn that ended well drops its list of tool calls: only a cut turn's notice names what may
    // run twice, and at 100,000 threads the lists would be most of the store (lastToolCall stays).
    const ending = {
      status,
      updatedAt: this.#clock.now(),
      ...(status === "done" ? { toolCalls: [] } : {}),
      ...nextAction(text),
    };
    // A turn followed without a checkpoint (one journaled by an older bot) gets a whole one: a
    // partial record would be refused by the store and leave the delivered turn open.
    return this.#store.state.checkpoints[entry.slug]
      ? ending
      : { sessionKey: entry.sessionKey, task: entry.text, turnId: entry.turnId, toolCalls: [], ...ending };
  }
}

/** A stopped answer's partial text with the marker after it (the marker alone when nothing streamed). */
function markStopped(partial: string, steered: boolean | undefined): string {
  const marker = steered ? texts.redirected : texts.stopped;
  return partial.trim() ? `${partial}\n\n${marker}` : marker;
}
