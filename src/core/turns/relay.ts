import { randomUUID } from "node:crypto";
import type { Channels } from "../channels.ts";
import { ErrorCode, isBotError } from "../errors.ts";
import type { JournalEntry, Thread } from "../model.ts";
import type { Clock, GatewayEvent, GatewayPort, Logger, StorePort } from "../ports.ts";
import { ReplyStream } from "./reply-stream.ts";
import { answerInTranscript } from "./transcript.ts";
import { isRetryable, nextAction, QUEUED_TEXT, refusal } from "./turn-text.ts";
import { type Watch, Watches } from "./watches.ts";

export { QUEUED_TEXT } from "./turn-text.ts";

/** How a followed turn ended. */
export type TurnEnd = "done" | "failed" | "aborted";

/**
 * DESIGN §5: journals each message before sending it, sends turns of one thread in order, streams
 * the answer back to the conversation it came from, and closes the journal entry at the end.
 */
export class Relay {
  readonly #store: StorePort;
  readonly #gateway: GatewayPort;
  readonly #channels: Channels;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #queues = new Map<string, Promise<void>>();
  /** Turns per thread accepted or scheduled and not yet finished; a new turn skips the queue only at none. */
  readonly #open = new Map<string, number>();
  readonly #watches = new Watches();
  readonly #endListeners: ((entry: JournalEntry, status: TurnEnd) => void)[] = [];

  constructor(options: { store: StorePort; gateway: GatewayPort; channels: Channels; clock: Clock; logger: Logger }) {
    this.#store = options.store;
    this.#gateway = options.gateway;
    this.#channels = options.channels;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#gateway.on((event) => this.#onEvent(event));
  }

  /**
   * Journals a person's (or a resume's) text for a thread, durably, and queues it for sending. When the
   * thread has nothing ahead of it and the gateway is up, the same write already marks the turn sent to
   * this boot, so the message reaches OpenClaw after one fsync instead of two (the mark must be on disk
   * before chat.send either way: DESIGN §5).
   */
  async accept(request: {
    thread: Thread;
    conversation: string;
    senderId: string;
    text: string;
    kind?: JournalEntry["kind"];
  }): Promise<JournalEntry> {
    // The caller's copy may be stale (read before an await): count on the stored record.
    const thread = this.#store.state.threads[request.thread.slug] ?? request.thread;
    const seq = this.#store.state.seq + 1;
    const now = this.#clock.now();
    const entry: JournalEntry = {
      turnId: randomUUID(),
      slug: thread.slug,
      sessionKey: thread.sessionKey,
      conversation: request.conversation,
      senderId: request.senderId,
      text: request.text,
      kind: request.kind ?? "message",
      createdAt: now,
      seq,
    };
    // Decided and held before the write, so a message arriving during it queues behind this one.
    const bootId = this.#open.has(thread.slug) ? undefined : this.#sendableBoot(entry);
    this.#hold(thread.slug);
    const sent = bootId === undefined ? undefined : this.#sentPatch(entry, bootId, now);
    try {
      await this.#store.update({
        seq,
        journal: { [entry.turnId]: { ...entry, ...sent?.entry } },
        threads: { [thread.slug]: { lastActivityAt: now, messageCount: thread.messageCount + 1, ...sent?.thread } },
        ...(sent ? { checkpoints: sent.checkpoints } : {}),
      });
    } catch (error) {
      this.#drop(thread.slug);
      throw error;
    }
    const stored = { ...entry, ...sent?.entry };
    this.#enqueue(stored, bootId);
    return stored;
  }

  /** Queues a journaled entry behind the thread's earlier turns. */
  schedule(entry: JournalEntry): void {
    this.#hold(entry.slug);
    this.#enqueue(entry, undefined);
  }

  /** Chains a held entry's run behind the thread's earlier turns; `markedBoot` = accept already marked it sent. */
  #enqueue(entry: JournalEntry, markedBoot: string | undefined): void {
    const previous = this.#queues.get(entry.slug) ?? Promise.resolve();
    const next = previous
      .then(() => this.#run(entry, markedBoot))
      .catch((error: unknown) => {
        this.#logger.error("turn failed", { turnId: entry.turnId, error });
      })
      .finally(() => this.#drop(entry.slug));
    this.#queues.set(entry.slug, next);
  }

  /** Counts a turn of the thread as accepted and not yet finished. */
  #hold(slug: string): void {
    this.#open.set(slug, (this.#open.get(slug) ?? 0) + 1);
  }

  #drop(slug: string): void {
    const left = (this.#open.get(slug) ?? 1) - 1;
    if (left > 0) this.#open.set(slug, left);
    else this.#open.delete(slug);
  }

  /**
   * The boot a turn can be sent to right now: the gateway is connected, the conversation's platform
   * runs, and nothing of the thread is in flight (OpenClaw's own recovery run included) or waiting.
   */
  #sendableBoot(entry: JournalEntry): string | undefined {
    const bootId = this.#gateway.bootId;
    if (!this.#gateway.connected || bootId === undefined) return undefined;
    if (!this.#channels.has(entry.conversation) || this.#watches.hasSlug(entry.slug)) return undefined;
    return this.queued(entry.slug).length === 0 ? bootId : undefined;
  }

  /** Journal entries not yet sent to any gateway boot (the inbox), in arrival order. */
  queued(slug?: string): JournalEntry[] {
    return Object.values(this.#store.state.journal)
      .filter((e) => e.sentBootId === undefined && (slug === undefined || e.slug === slug))
      .sort((a, b) => a.seq - b.seq);
  }

  /** True while a turn of this thread is being followed. */
  isActive(slug: string): boolean {
    return this.#watches.hasSlug(slug);
  }

  /** Conversations with a turn in flight. */
  activeConversations(): string[] {
    return this.#watches.conversations();
  }

  /**
   * Follows an already-sent turn to its end without sending anything: OpenClaw is answering it
   * (after a bot restart, or under a recovery run). Delivers the answer once and closes the entry.
   */
  follow(
    entry: JournalEntry,
    options: { runIds?: string[]; followSession?: boolean; checkNow?: boolean; resendIfMissing?: boolean } = {},
  ): Promise<void> {
    return new Promise<void>((resolve) => {
      let stream: ReplyStream;
      try {
        stream = this.#stream(entry);
      } catch (error) {
        // The conversation's platform is not running (its token was removed): the entry stays journaled.
        this.#logger.warn("cannot follow a turn: its channel is not running", { turnId: entry.turnId, error });
        resolve();
        return;
      }
      const watch: Watch = {
        entry,
        stream,
        runIds: new Set([entry.turnId, ...(options.runIds ?? [])]),
        followSession: options.followSession ?? false,
        settle: resolve,
      };
      this.#watches.add(watch);
      stream.startTyping();
      if (options.checkNow ?? true) void this.#checkTranscript(watch, false, 0, options.resendIfMissing);
    });
  }

  /** Re-reads the transcript of every turn being followed (after a reconnect, events may have been missed). */
  recheck(): void {
    for (const watch of this.#watches.all()) void this.#checkTranscript(watch);
  }

  /** Stops following every turn (their journal entries stay open for reconciliation). */
  release(): void {
    for (const w of this.#watches.all()) {
      // A half-shown answer stays, marked as cut short; the continuation comes as a new message.
      w.stream
        .interrupt()
        .catch((error: unknown) => this.#logger.warn("could not mark an answer interrupted", { error }));
      w.settle();
    }
    this.#watches.clear();
  }

  async #run(queued: JournalEntry, markedBoot: string | undefined): Promise<void> {
    // A turn of this thread the bot sent outside this queue (reconciliation re-sends one after a
    // restart) is answered first: two of the bot's turns of one thread are never in flight at once.
    await this.#watches.sentIdle(queued.slug, queued.turnId);
    const entry = this.#store.state.journal[queued.turnId];
    if (!entry || this.#watches.has(entry.turnId)) return; // answered, or already followed
    if (entry.sentBootId !== undefined) {
      // Sent already: ours to send only if accept marked it; any other is reconciliation's to follow.
      if (entry.sentBootId !== markedBoot) return;
      const done = this.follow(entry, { checkNow: false });
      await this.#send(entry);
      await done;
      return;
    }
    const bootId = this.#gateway.bootId;
    if (!this.#gateway.connected || bootId === undefined) return; // stays in the inbox
    if (!this.#channels.has(entry.conversation)) return; // its platform is not running: kept for later
    const done = this.follow(entry, { checkNow: false });
    await this.#markSent(entry, bootId);
    await this.#send(entry);
    await done;
  }

  async #send(entry: JournalEntry): Promise<void> {
    try {
      await this.#gateway.chatSend({ sessionKey: entry.sessionKey, message: entry.text, idempotencyKey: entry.turnId });
    } catch (error) {
      await this.#sendFailed(entry, error);
    }
  }

  /**
   * Ends a followed turn the person stopped: shown as stopped, its entry closed. OpenClaw may send no
   * `aborted` for a continuation it had not started yet, and nothing else would end the turn.
   */
  async stopped(turnId: string): Promise<void> {
    await this.#finish(turnId, "(stopped)", "aborted");
  }

  /** True while the relay follows this turn. */
  isFollowing(turnId: string): boolean {
    return this.#watches.has(turnId);
  }

  /** Re-journals a turn no gateway boot admitted under a fresh key (keys never cross a restart). */
  async requeue(entry: JournalEntry): Promise<JournalEntry> {
    const fresh: JournalEntry = { ...entry, turnId: randomUUID(), sentBootId: undefined, sentAt: undefined };
    await this.#store.update({ journal: { [entry.turnId]: null, [fresh.turnId]: fresh } });
    this.schedule(fresh);
    return fresh;
  }

  async #markSent(entry: JournalEntry, bootId: string): Promise<void> {
    const sent = this.#sentPatch(entry, bootId, this.#clock.now());
    await this.#store.update({
      journal: { [entry.turnId]: sent.entry },
      threads: { [entry.slug]: sent.thread },
      checkpoints: sent.checkpoints,
    });
  }

  /** What marking a turn sent to `bootId` changes: the entry's mark, the thread's state, a fresh checkpoint. */
  #sentPatch(entry: JournalEntry, bootId: string, now: number) {
    return {
      entry: { sentBootId: bootId, sentAt: now },
      thread: { state: "running" as const },
      checkpoints: {
        [entry.slug]: {
          sessionKey: entry.sessionKey,
          task: entry.text,
          turnId: entry.turnId,
          toolCalls: [],
          updatedAt: now,
          status: "running" as const,
          lastToolCall: null,
          nextAction: null,
        },
      },
    };
  }

  /** A send the gateway refused: back to the inbox when it is away, else a one-line answer. */
  async #sendFailed(entry: JournalEntry, error: unknown): Promise<void> {
    const watch = this.#watches.get(entry.turnId);
    if (watch && isBotError(error, ErrorCode.Timeout) && this.#gateway.connected) {
      // No answer in time, but the gateway may have admitted it. Same boot, so the transcript
      // decides: follow the turn if it is there, else send the same key again (deduplicated).
      void this.#checkTranscript(watch, false, 0, true);
      return;
    }
    if (isBotError(error, ErrorCode.GatewayAway) || isRetryable(error)) {
      this.#watches.delete(entry.turnId);
      watch?.stream.cancel();
      watch?.settle();
      // Refused by the gateway (draining, starting up): never admitted, so it goes back to the inbox,
      // under a fresh key because this one reached a boot that is going away. Lost with the socket:
      // the gateway may have admitted it, so the key stays tied to that boot and reconnecting
      // reconciles it against the transcript (same key on the same boot, a fresh one after a restart).
      const refused = isRetryable(error) || (isBotError(error) && error.details?.gatewayCode === "UNAVAILABLE");
      const fresh = randomUUID();
      await this.#store.update({
        journal: refused ? { [entry.turnId]: null, [fresh]: { ...entry, turnId: fresh, sentBootId: undefined } } : {},
        threads: { [entry.slug]: { state: "idle" } },
      });
      await this.#say(entry.conversation, QUEUED_TEXT);
      return;
    }
    await this.#finish(entry.turnId, refusal(error), "failed");
  }

  #onEvent(event: GatewayEvent): void {
    if (event.type === "tool") return void this.#onTool(event);
    if (event.type === "session") return void this.#onSession(event);
    if (event.type !== "chat") return;
    const watch = this.#watches.forRun(event.runId);
    if (watch) {
      this.#onOwnRun(watch, event);
      return;
    }
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
    for (const follower of followers) void this.#checkTranscript(follower, true);
  }

  #onOwnRun(watch: Watch, event: Extract<GatewayEvent, { type: "chat" }>): void {
    if (event.state === "delta") {
      watch.stream.update(event.text);
      return;
    }
    if (event.state === "error") {
      void this.#finish(watch.entry.turnId, `The agent run failed: ${event.errorMessage ?? "unknown error"}`, "failed");
      return;
    }
    if (event.state === "aborted" && event.stopReason === "restart") return; // reconciled after the restart
    if (event.state === "aborted") return void this.#finish(watch.entry.turnId, event.text || "(stopped)", "aborted");
    // Our own run's final carries the answer. A final with no text (a run queued behind OpenClaw's
    // recovery gets one at once) is not the answer: it will come under another run id.
    if (event.runId === watch.entry.turnId && event.text.trim()) {
      return void this.#finish(watch.entry.turnId, event.text, "done");
    }
    watch.followSession = true;
    void this.#checkTranscript(watch, true);
  }

  /** Delivers the answer once the transcript has it and no run of the session is active. */
  async #checkTranscript(watch: Watch, afterFinal = false, attempt = 0, resendIfMissing = false): Promise<void> {
    if (!this.#gateway.connected || !this.#watches.has(watch.entry.turnId)) return;
    try {
      const history = await this.#gateway.chatHistory({ sessionKey: watch.entry.sessionKey, limit: 100 });
      const answer = answerInTranscript(history.messages, watch.entry.turnId);
      const busy = history.session.hasActiveRun === true || (history.session.activeRunIds?.length ?? 0) > 0;
      if (answer.text && (answer.complete || !busy))
        return void (await this.#finish(watch.entry.turnId, answer.text, answer.failed ? "failed" : "done"));
      if (answer.admitted) watch.followSession = true;
      // Same gateway boot, never admitted (the bot died before chat.send): the same key is safe to send.
      if (!answer.admitted && resendIfMissing) await this.#send(watch.entry);
      // A final can reach us a moment before its transcript row is readable.
      if (afterFinal && !busy && attempt < 3) {
        setTimeout(() => void this.#checkTranscript(watch, true, attempt + 1), 300 * (attempt + 1)).unref?.();
      }
    } catch (error) {
      this.#logger.warn("transcript check failed", { turnId: watch.entry.turnId, error });
    }
  }

  async #finish(turnId: string, text: string, status: TurnEnd): Promise<void> {
    const watch = this.#watches.get(turnId);
    if (!watch) return;
    this.#watches.delete(turnId);
    const { entry } = watch;
    try {
      await watch.stream.finish(text.trim() ? text : "The agent finished without a visible answer.");
    } catch (error) {
      this.#logger.error("could not deliver an answer", { turnId, error });
    }
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
    const checkpoint = this.#store.state.checkpoints[entry.slug]
      ? ending
      : { sessionKey: entry.sessionKey, task: entry.text, turnId, toolCalls: [], ...ending };
    await this.#store.update({
      journal: { [turnId]: null },
      threads: { [entry.slug]: { state: "idle", lastActivityAt: this.#clock.now() } },
      checkpoints: { [entry.slug]: checkpoint },
    });
    watch.settle();
    for (const listener of this.#endListeners) listener(entry, status);
  }

  /** Calls `listener` whenever a followed turn ends (after its answer was shown and its entry closed). */
  onTurnEnd(listener: (entry: JournalEntry, status: TurnEnd) => void): void {
    this.#endListeners.push(listener);
  }

  /**
   * A session with no run left: every turn following it re-reads the transcript. Its answer may have
   * come under a run id we never saw, or its final raced with the end of the run before it.
   */
  #onSession(event: Extract<GatewayEvent, { type: "session" }>): void {
    if (event.session.hasActiveRun === true || (event.session.activeRunIds?.length ?? 0) > 0) return;
    for (const watch of this.#watches.all()) {
      if (watch.followSession && watch.entry.sessionKey === event.sessionKey) void this.#checkTranscript(watch);
    }
  }

  #onTool(event: Extract<GatewayEvent, { type: "tool" }>): void {
    const watch = this.#watches.forRun(event.runId) ?? this.#watches.followers(event.sessionKey)[0];
    if (!watch || event.phase !== "start") return;
    const checkpoint = this.#store.state.checkpoints[watch.entry.slug];
    const call = { name: event.name, args: event.args, at: this.#clock.now() };
    const toolCalls = [...(checkpoint?.toolCalls ?? []), call].slice(-20);
    // A merge patch would merge these args into the previous call's: drop that call first.
    void this.#store.update({ checkpoints: { [watch.entry.slug]: { lastToolCall: null } } });
    void this.#store.update({
      checkpoints: { [watch.entry.slug]: { lastToolCall: call, toolCalls, updatedAt: call.at } },
    });
  }

  #stream(entry: JournalEntry): ReplyStream {
    return new ReplyStream({
      channel: this.#channels.for(entry.conversation),
      conversation: entry.conversation,
      clock: this.#clock,
      logger: this.#logger,
    });
  }

  async #say(conversation: string, text: string): Promise<void> {
    try {
      await this.#channels.for(conversation).send(conversation, { text, format: "plain" });
    } catch (error) {
      this.#logger.warn("could not post a status line", { conversation, error });
    }
  }
}
