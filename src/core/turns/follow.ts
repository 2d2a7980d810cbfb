import type { Channels } from "../channels.ts";
import type { JournalEntry } from "../model.ts";
import type { Clock, GatewayEvent, GatewayPort, Logger, StorePort } from "../ports.ts";
import { texts } from "../texts.ts";
import { recordToolCall } from "./checkpoints.ts";
import type { TurnDeps } from "./deps.ts";
import type { TurnFinisher } from "./finish.ts";
import { ProgressLine } from "./progress.ts";
import { ReplyStream } from "./reply-stream.ts";
import { sessionBusy } from "./session-busy.ts";
import { answerInTranscript } from "./transcript.ts";
import type { Watch, Watches } from "./watches.ts";

type ChatEvent = Extract<GatewayEvent, { type: "chat" }>;

/** How to follow a turn. */
export interface FollowOptions {
  /** Runs OpenClaw started for this turn (recovery), besides the turn's own id. */
  runIds?: string[] | undefined;
  /** Follow any run of the session (the answer comes under a run id the bot never issued). */
  followSession?: boolean | undefined;
  /** Read the transcript at once (the turn may have ended while nobody watched). Default true. */
  checkNow?: boolean | undefined;
  /** Same gateway boot, not in the transcript: send it again under the same key. */
  resendIfMissing?: boolean | undefined;
}

/** What one transcript check is for. */
export interface TranscriptCheck {
  /** A final event just came: its row may not be readable yet, so look again a few times. */
  afterFinal?: boolean | undefined;
  /** Which of those looks this is. */
  attempt?: number | undefined;
  resendIfMissing?: boolean | undefined;
}

const FINAL_RECHECKS = 3;

/**
 * Follows sent turns to their end: routes the gateway's chat, tool and session events to the turn
 * they belong to, streams the answer, and reads the transcript when events cannot tell the end.
 */
export class Follower {
  readonly #store: StorePort;
  readonly #gateway: GatewayPort;
  readonly #channels: Channels;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #watches: Watches;
  readonly #finisher: TurnFinisher;
  readonly #resend: (entry: JournalEntry) => Promise<void>;

  constructor(
    options: TurnDeps & {
      watches: Watches;
      finisher: TurnFinisher;
      /** Sends a journaled turn under its own key again (same gateway boot). */
      resend: (entry: JournalEntry) => Promise<void>;
    },
  ) {
    this.#store = options.store;
    this.#gateway = options.gateway;
    this.#channels = options.channels;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#watches = options.watches;
    this.#finisher = options.finisher;
    this.#resend = options.resend;
    this.#gateway.on((event) => this.#onEvent(event));
  }

  /** Follows a sent turn until its answer was delivered; resolves then (or at once if it cannot be shown). */
  follow(entry: JournalEntry, options: FollowOptions = {}): Promise<void> {
    return new Promise<void>((resolve) => {
      let stream: ReplyStream;
      let progress: ProgressLine;
      try {
        ({ stream, progress } = this.#outputs(entry));
      } catch (error) {
        // The conversation's platform is not running (its token was removed): the entry stays journaled.
        this.#logger.warn("cannot follow a turn: its channel is not running", { turnId: entry.turnId, error });
        resolve();
        return;
      }
      const watch: Watch = {
        entry,
        stream,
        progress,
        runIds: new Set([entry.turnId, ...(options.runIds ?? [])]),
        followSession: options.followSession ?? false,
        settle: resolve,
      };
      this.#watches.add(watch);
      stream.startTyping();
      if (options.checkNow ?? true) void this.check(watch, { resendIfMissing: options.resendIfMissing });
    });
  }

  /** Re-reads the transcript of every followed turn (after a reconnect, events may have been missed). */
  recheck(): void {
    for (const watch of this.#watches.all()) void this.check(watch);
  }

  /** Stops following every turn; a half-shown answer stays, marked as cut short. */
  release(): void {
    for (const w of this.#watches.all()) {
      void w.progress.finish("interrupted");
      w.stream
        .interrupt()
        .catch((error: unknown) => this.#logger.warn("could not mark an answer interrupted", { error }));
      w.settle();
    }
    this.#watches.clear();
  }

  /** Delivers the answer once the transcript has it and no run of the session is active. */
  async check(watch: Watch, options: TranscriptCheck = {}): Promise<void> {
    if (!this.#gateway.connected || !this.#watches.has(watch.entry.turnId)) return;
    const attempt = options.attempt ?? 0;
    try {
      const history = await this.#gateway.chatHistory({ sessionKey: watch.entry.sessionKey, limit: 100 });
      const answer = answerInTranscript(history.messages, watch.entry.turnId);
      const busy = sessionBusy(history.session);
      if (answer.text && (answer.complete || !busy)) {
        await this.#finisher.finish(watch.entry.turnId, answer.text, answer.failed ? "failed" : "done", answer);
        return;
      }
      if (answer.admitted) watch.followSession = true;
      // Same gateway boot, never admitted (the bot died before chat.send): the same key is safe to send.
      if (!answer.admitted && options.resendIfMissing) await this.#resend(watch.entry);
      if (options.afterFinal && !busy && attempt < FINAL_RECHECKS) {
        const again = () => void this.check(watch, { afterFinal: true, attempt: attempt + 1 });
        setTimeout(again, 300 * (attempt + 1)).unref?.();
      }
    } catch (error) {
      this.#logger.warn("transcript check failed", { turnId: watch.entry.turnId, error });
    }
  }

  #onEvent(event: GatewayEvent): void {
    if (event.type === "tool") this.#onTool(event);
    else if (event.type === "media") this.#onMedia(event);
    else if (event.type === "session") this.#onSession(event);
    else if (event.type === "chat") this.#onChat(event);
  }

  #onChat(event: ChatEvent): void {
    const watch = this.#watches.forRun(event.runId);
    if (watch) {
      this.#onOwnRun(watch, event);
      return;
    }
    if (this.#watches.isEnded(event.runId)) return; // a stopped run's last words: after /stop, nothing more
    // A run we never issued (OpenClaw's recovery, or a message queued behind it) answers the oldest
    // turn that follows the session; every follower re-reads the transcript when such a run ends.
    const followers = this.#watches.followers(event.sessionKey);
    const oldest = followers[0];
    if (!oldest) return;
    if (event.state === "delta") {
      oldest.runIds.add(event.runId);
      oldest.stream.update(event.text);
      return;
    }
    for (const follower of followers) void this.check(follower, { afterFinal: true });
  }

  #onOwnRun(watch: Watch, event: ChatEvent): void {
    const { turnId } = watch.entry;
    if (event.state === "delta") {
      watch.stream.update(event.text);
      return;
    }
    if (event.state === "error")
      return void this.#finisher.finish(turnId, texts.runFailed(event.errorMessage), "failed");
    if (event.state === "aborted" && event.stopReason === "restart") return; // reconciled after the restart
    if (event.state === "aborted") return void this.#finisher.finish(turnId, event.text, "aborted");
    // Our own run's final carries the answer. A final with no text (a run queued behind OpenClaw's
    // recovery gets one at once) is not the answer: it will come under another run id.
    if (event.runId === turnId && event.text.trim()) return void this.#finisher.finish(turnId, event.text, "done");
    watch.followSession = true;
    void this.check(watch, { afterFinal: true });
  }

  /**
   * A session with no run left: every turn following it re-reads the transcript. Its answer may have
   * come under a run id we never saw, or its final raced with the end of the run before it.
   */
  #onSession(event: Extract<GatewayEvent, { type: "session" }>): void {
    if (sessionBusy(event.session)) return;
    for (const watch of this.#watches.all()) {
      if (watch.followSession && watch.entry.sessionKey === event.sessionKey) void this.check(watch);
    }
  }

  #onMedia(event: Extract<GatewayEvent, { type: "media" }>): void {
    const watch = this.#watches.forRun(event.runId) ?? this.#watches.followers(event.sessionKey)[0];
    if (watch) watch.expectsMedia = true;
  }

  #onTool(event: Extract<GatewayEvent, { type: "tool" }>): void {
    const watch = this.#watches.forRun(event.runId) ?? this.#watches.followers(event.sessionKey)[0];
    if (!watch || event.phase !== "start") return;
    watch.progress.step({ name: event.name, args: event.args });
    recordToolCall(this.#store, watch.entry.slug, event, this.#clock.now());
  }

  /** Where a turn's output goes: its answer stream and its progress line, in its conversation. */
  #outputs(entry: JournalEntry): { stream: ReplyStream; progress: ProgressLine } {
    const options = {
      channel: this.#channels.for(entry.conversation),
      conversation: entry.conversation,
      clock: this.#clock,
      logger: this.#logger,
    };
    const progress = new ProgressLine({
      ...options,
      existing: this.#earlierProgress(entry),
      onPosted: (messageId) => {
        // Only while the turn is journaled: a patch to a closed entry would create a partial one.
        if (!this.#store.state.journal[entry.turnId]) return;
        void this.#store.update({ journal: { [entry.turnId]: { progressMessageId: messageId } } });
      },
    });
    const stream = new ReplyStream({
      ...options,
      // A restarted bot (or the process that took over) finishes the answer in the message already shown,
      // if the run is the same: sent to the gateway boot that is up now. After a gateway crash the run is
      // OpenClaw's re-run, whose answer belongs below the notice, not in the interrupted message.
      firstMessageId: entry.sentBootId === this.#store.state.gatewayBootId ? entry.replyMessageId : undefined,
      onFirstPosted: (messageId) => {
        if (!this.#store.state.journal[entry.turnId]) return;
        this.#store
          .update({ journal: { [entry.turnId]: { replyMessageId: messageId } } })
          .catch((error: unknown) => this.#logger.warn("answer message id not journaled", { error }));
      },
    });
    return { stream, progress };
  }

  /** The progress line a previous run of the bot posted for this turn, with the steps its checkpoint kept. */
  #earlierProgress(entry: JournalEntry) {
    if (!entry.progressMessageId) return undefined;
    const checkpoint = this.#store.state.checkpoints[entry.slug];
    const steps = checkpoint?.turnId === entry.turnId ? checkpoint.toolCalls.map((c) => c.name) : [];
    return { messageId: entry.progressMessageId, steps, startedAt: entry.sentAt ?? entry.createdAt };
  }
}
