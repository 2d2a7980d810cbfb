import { randomUUID } from "node:crypto";
import type { Channels } from "../channels.ts";
import { ErrorCode, GatewayReason, gatewayReason, isBotError, userMessage } from "../errors.ts";
import type { AttachmentRef, JournalEntry, Thread } from "../model.ts";
import type { Clock, GatewayPort, Logger, StorePort } from "../ports.ts";
import { texts } from "../texts.ts";
import type { AttachmentIntake } from "./attachments.ts";
import { sentPatch } from "./checkpoints.ts";
import type { TurnDeps } from "./deps.ts";
import { type TurnEndListener, TurnFinisher } from "./finish.ts";
import { Follower, type FollowOptions } from "./follow.ts";
import { MediaDelivery } from "./media.ts";
import { TurnQueue } from "./queue.ts";
import type { StopGuard } from "./stop-guard.ts";
import { type Watch, Watches } from "./watches.ts";

export type { TurnEnd } from "./finish.ts";

/**
 * The turn lifecycle's front door (ARCHITECTURE.md §5): journals each message before sending it,
 * sends a thread's turns in order (queue.ts), follows each to its end (follow.ts) and closes it
 * (finish.ts).
 */
export class Relay {
  readonly #store: StorePort;
  readonly #gateway: GatewayPort;
  readonly #channels: Channels;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #queue: TurnQueue;
  readonly #watches = new Watches();
  readonly #finisher: TurnFinisher;
  readonly #follower: Follower;
  readonly #intake: AttachmentIntake;
  /** confirm: the bot's turns of a session whose crash re-run is being taken back wait for it. */
  readonly #takeBack: Pick<StopGuard, "holding" | "held"> | undefined;

  constructor(options: TurnDeps & { intake: AttachmentIntake; takeBack?: Pick<StopGuard, "holding" | "held"> }) {
    this.#store = options.store;
    this.#takeBack = options.takeBack;
    this.#intake = options.intake;
    this.#gateway = options.gateway;
    this.#channels = options.channels;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#queue = new TurnQueue(options);
    const media = new MediaDelivery(options);
    this.#finisher = new TurnFinisher({ ...options, watches: this.#watches, media });
    // A turn's files are kept until its entry closes: any later resend must carry them.
    this.#finisher.onTurnEnd((entry) => void this.#intake.release(entry.attachments));
    this.#follower = new Follower({
      ...options,
      watches: this.#watches,
      finisher: this.#finisher,
      resend: (entry) => this.#send(entry),
    });
  }

  /**
   * Journals a person's (or a resume's) text for a thread, durably, and queues it for sending. When the
   * thread has nothing ahead of it and the gateway is up, the same write already marks the turn sent to
   * this boot, so the message reaches OpenClaw after one fsync instead of two (the mark must be on disk
   * before chat.send either way).
   */
  async accept(request: {
    thread: Thread;
    conversation: string;
    senderId: string;
    text: string;
    kind?: JournalEntry["kind"];
    /** Files already in the blob store; they go with the text or not at all. */
    attachments?: AttachmentRef[] | undefined;
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
      ...(request.attachments?.length ? { attachments: request.attachments } : {}),
    };
    // Decided and held before the write, so a message arriving during it queues behind this one.
    const bootId = this.#queue.isHeld(thread.slug) ? undefined : this.#sendableBoot(entry);
    this.#queue.hold(thread.slug);
    const sent = bootId === undefined ? undefined : sentPatch(entry, bootId, now);
    try {
      await this.#store.update({
        seq,
        journal: { [entry.turnId]: { ...entry, ...sent?.entry } },
        threads: { [thread.slug]: { lastActivityAt: now, messageCount: thread.messageCount + 1, ...sent?.thread } },
        ...(sent ? { checkpoints: sent.checkpoints } : {}),
      });
    } catch (error) {
      this.#queue.drop(thread.slug);
      throw error;
    }
    const stored = { ...entry, ...sent?.entry };
    this.#queue.enqueue(stored, () => this.#run(stored, bootId));
    return stored;
  }

  /** Queues a journaled entry behind the thread's earlier turns. */
  schedule(entry: JournalEntry): void {
    this.#queue.hold(entry.slug);
    this.#queue.enqueue(entry, () => this.#run(entry, undefined));
  }

  /**
   * The boot a turn can be sent to right now: the gateway is connected, the conversation's platform
   * runs, and nothing of the thread is in flight (OpenClaw's own recovery run included) or waiting.
   */
  #sendableBoot(entry: JournalEntry): string | undefined {
    const bootId = this.#gateway.bootId;
    if (!this.#gateway.connected || bootId === undefined) return undefined;
    if (!this.#channels.has(entry.conversation) || this.#watches.hasSlug(entry.slug)) return undefined;
    if (this.#takeBack?.holding(entry.sessionKey)) return undefined;
    return this.queued(entry.slug).length === 0 ? bootId : undefined;
  }

  /** Journal entries not yet sent to any gateway boot (the inbox), in arrival order. */
  queued(slug?: string): JournalEntry[] {
    return this.#queue.inbox(slug);
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
  follow(entry: JournalEntry, options: FollowOptions = {}): Promise<void> {
    return this.#follower.follow(entry, options);
  }

  /** Re-reads the transcript of every turn being followed (after a reconnect, events may have been missed). */
  recheck(): void {
    this.#follower.recheck();
  }

  /** Stops following every turn (their journal entries stay open for reconciliation). */
  release(): void {
    this.#follower.release();
  }

  /** True while the relay follows this turn. */
  isFollowing(turnId: string): boolean {
    return this.#watches.has(turnId);
  }

  /** Calls `listener` whenever a followed turn ends (after its answer was shown and its entry closed). */
  onTurnEnd(listener: TurnEndListener): void {
    this.#finisher.onTurnEnd(listener);
  }

  /**
   * Ends a followed turn the person stopped: shown as stopped, its entry closed. OpenClaw may send no
   * `aborted` for a continuation it had not started yet, and nothing else would end the turn.
   */
  async stopped(turnId: string): Promise<void> {
    await this.#finisher.finish(turnId, "", "aborted");
  }

  /** The turn of a thread being followed now (its answer streaming), if any. */
  running(slug: string): Watch | undefined {
    return this.#watches.runningOf(slug);
  }

  /** The followed turn whose answer shows as message `messageId` in `conversation` (a reply to it steers). */
  showing(conversation: string, messageId: string): Watch | undefined {
    return this.#watches.showing(conversation, messageId);
  }

  /** Re-journals a turn no gateway boot admitted under a fresh key (keys never cross a restart). */
  async requeue(entry: JournalEntry): Promise<JournalEntry> {
    const fresh: JournalEntry = { ...entry, turnId: randomUUID(), sentBootId: undefined, sentAt: undefined };
    await this.#store.update({ journal: { [entry.turnId]: null, [fresh.turnId]: fresh } });
    this.schedule(fresh);
    return fresh;
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
    await this.#takeBack?.held(entry.sessionKey);
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
      await this.#gateway.chatSend({
        sessionKey: entry.sessionKey,
        message: entry.text,
        idempotencyKey: entry.turnId,
        attachments: this.#intake.outgoing(entry.attachments),
      });
    } catch (error) {
      await this.sendFailed(entry, error);
    }
  }

  async #markSent(entry: JournalEntry, bootId: string): Promise<void> {
    const sent = sentPatch(entry, bootId, this.#clock.now());
    await this.#store.update({
      journal: { [entry.turnId]: sent.entry },
      threads: { [entry.slug]: sent.thread },
      checkpoints: sent.checkpoints,
    });
  }

  /** A send the gateway refused: back to the inbox when it is away, else a one-line answer. */
  async sendFailed(entry: JournalEntry, error: unknown): Promise<void> {
    const watch = this.#watches.get(entry.turnId);
    if (watch && isBotError(error, ErrorCode.Timeout) && this.#gateway.connected) {
      // No answer in time, but the gateway may have admitted it. Same boot, so the transcript
      // decides: follow the turn if it is there, else send the same key again (deduplicated).
      void this.#follower.check(watch, { resendIfMissing: true });
      return;
    }
    const reason = gatewayReason(error);
    if (isBotError(error, ErrorCode.GatewayAway) || reason === GatewayReason.Refused) {
      this.#watches.delete(entry.turnId);
      watch?.stream.cancel();
      watch?.progress.cancel();
      watch?.settle();
      await this.#backToInbox(entry, reason === GatewayReason.Refused);
      return;
    }
    await this.#finisher.finish(entry.turnId, refusal(error), "failed");
  }

  /**
   * Refused by the gateway (draining, starting up): never admitted, so it goes back to the inbox under
   * a fresh key, because this one reached a boot that is going away. Lost with the socket: the gateway
   * may have admitted it, so the key stays tied to that boot and reconnecting reconciles it against
   * the transcript (same key on the same boot, a fresh one after a restart).
   */
  async #backToInbox(entry: JournalEntry, refused: boolean): Promise<void> {
    const fresh = randomUUID();
    await this.#store.update({
      journal: refused ? { [entry.turnId]: null, [fresh]: { ...entry, turnId: fresh, sentBootId: undefined } } : {},
      threads: { [entry.slug]: { state: "idle" } },
    });
    await this.#say(entry.conversation, texts.queued);
  }

  async #say(conversation: string, text: string): Promise<void> {
    try {
      await this.#channels.for(conversation).send(conversation, { text, format: "plain" });
    } catch (error) {
      this.#logger.warn("could not post a status line", { conversation, error });
    }
  }
}

/** What to tell the person when the gateway refuses a turn; OpenClaw's own hints name its commands, not ours. */
function refusal(error: unknown): string {
  const reason = gatewayReason(error);
  if (reason === GatewayReason.Tombstoned) return texts.refusedTombstoned;
  if (reason === GatewayReason.Archived) return texts.refusedArchived;
  return texts.refused(userMessage(error));
}
