import type { Channels } from "../channels.ts";
import { type JournalEntry, type Notice, type ResumePolicy, threadPolicy } from "../model.ts";
import type { Clock, GatewayEvent, GatewayPort, Logger, StorePort } from "../ports.ts";
import { texts } from "../texts.ts";
import type { AttachmentIntake } from "./attachments.ts";
import { newNoticeId, noticeButton, noticeText, oldNoticesPatch } from "./notices.ts";
import type { Outbox } from "./outbox.ts";
import type { Relay } from "./relay.ts";
import { sessionContinuing } from "./session-busy.ts";
import type { StopGuard } from "./stop-guard.ts";
import { TakeBack } from "./take-back.ts";
import { answerInTranscript } from "./transcript.ts";

// OpenClaw marks crash-orphaned sessions for recovery within about 2 s of hello-ok.
const RECOVERY_GRACE_MS = [1_500, 3_000];

/**
 * ARCHITECTURE.md §6: after a gateway restart (new bootId) or the bot's own start, reconciles every open
 * journal entry against the session — answer already there, OpenClaw continuing, cut short,
 * tombstoned — and drains the inbox in arrival order.
 */
export class Recovery {
  readonly #store: StorePort;
  readonly #gateway: GatewayPort;
  readonly #relay: Relay;
  readonly #outbox: Outbox;
  readonly #channels: Channels;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #policy: ResumePolicy;
  readonly #intake: AttachmentIntake;
  readonly #takeBack: TakeBack;
  #reconciling: Promise<void> = Promise.resolve();
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: {
    store: StorePort;
    gateway: GatewayPort;
    relay: Relay;
    outbox: Outbox;
    channels: Channels;
    clock: Clock;
    logger: Logger;
    policy: ResumePolicy;
    intake: AttachmentIntake;
    stops: StopGuard;
    sleep?: (ms: number) => Promise<void>;
  }) {
    this.#intake = options.intake;
    this.#takeBack = new TakeBack(options);
    this.#store = options.store;
    this.#gateway = options.gateway;
    this.#relay = options.relay;
    this.#outbox = options.outbox;
    this.#channels = options.channels;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#policy = options.policy;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#gateway.on((event) => this.#onEvent(event));
    this.#relay.onTurnEnd((entry, status) => void this.#afterContinuation(entry, status));
  }

  /** Resolves when the reconciliation started by the last connect is over (tests, shutdown). */
  idle(): Promise<void> {
    return this.#reconciling;
  }

  #onEvent(event: GatewayEvent): void {
    if (event.type === "shutdown") void this.#announceRestart();
    if (event.type !== "connected") return;
    const waiting = this.#takeBack.arm(event.bootId);
    this.#reconciling = this.#reconciling
      .then(() => this.#onConnected(event.bootId))
      .then(() => this.#takeBack.settleWaiting(waiting))
      .catch((error: unknown) => {
        this.#logger.error("reconciliation failed", { error });
      });
  }

  async #onConnected(bootId: string): Promise<void> {
    const previous = this.#store.state.gatewayBootId;
    if (previous !== bootId) await this.#store.update({ gatewayBootId: bootId });
    const old = oldNoticesPatch(this.#store.state, this.#clock.now());
    if (old) await this.#store.update({ notices: old });
    if (previous !== undefined && previous !== bootId) {
      this.#logger.info("gateway restarted", { previous, bootId });
      this.#relay.release(); // turns in flight are reconciled below, against the transcript
    } else {
      // Same boot: a turn may have ended while the socket was down, its events lost with it.
      this.#relay.recheck();
    }
    void this.#outbox.drain();
    const entries = Object.values(this.#store.state.journal).sort((a, b) => a.seq - b.seq);
    for (const entry of entries) {
      if (this.#relay.isFollowing(entry.turnId)) continue;
      if (entry.sentBootId === undefined) this.#relay.schedule(entry);
      else if (entry.sentBootId === bootId) this.#relay.follow(entry, { resendIfMissing: true });
      else await this.#afterRestart(entry, bootId);
    }
  }

  /** One turn that was sent to an earlier gateway boot. */
  async #afterRestart(entry: JournalEntry, bootId: string): Promise<void> {
    let history = await this.#gateway.chatHistory({ sessionKey: entry.sessionKey, limit: 100 });
    const takesBack = this.#takeBack.applies(entry.slug);
    if (takesBack) this.#takeBack.observed(entry.sessionKey, history.session);
    if (history.session.restartRecoveryStatus === "tombstoned") return this.#interrupt(entry, bootId, "recover");
    let answer = answerInTranscript(history.messages, entry.turnId);
    // Never re-send a key after a restart: a turn the gateway never admitted goes again under a new key.
    if (!answer.admitted) return void (await this.#relay.requeue(entry));
    const thread = this.#store.state.threads[entry.slug];
    // Only under auto is OpenClaw's continuation awaited; a child is never re-run, a take-back is aborted.
    for (const wait of thread?.parentSessionKey || takesBack ? [] : RECOVERY_GRACE_MS) {
      if (answer.text || sessionContinuing(history.session)) break;
      await this.#sleep(wait);
      history = await this.#gateway.chatHistory({ sessionKey: entry.sessionKey, limit: 100 });
      answer = answerInTranscript(history.messages, entry.turnId);
    }
    if (answer.text && (answer.complete || !sessionContinuing(history.session))) return void this.#relay.follow(entry);
    // Taken back: a re-run admitted before the bot was back is aborted (observed), a later one at admission.
    if (takesBack) return this.#interrupt(entry, bootId, "resume");
    if (sessionContinuing(history.session)) {
      await this.#interrupt(entry, bootId, "stop", history.session.activeRunIds?.[0]);
      await this.#outbox.settled(entry.conversation);
      return void this.#relay.follow(entry, { followSession: true, runIds: history.session.activeRunIds ?? [] });
    }
    await this.#interrupt(entry, bootId, "resume");
  }

  /**
   * OpenClaw's own continuation of a crash-cut turn failed: the person gets Resume after all (the
   * continuation's failure was already shown in the conversation).
   */
  async #afterContinuation(entry: JournalEntry, status: string): Promise<void> {
    if (status !== "failed") return;
    const stop = Object.values(this.#store.state.notices).find((n) => n.turnId === entry.turnId && n.kind === "stop");
    if (!stop?.bootId) return;
    try {
      await this.#interrupt(entry, stop.bootId, "resume");
    } catch (error) {
      this.#logger.warn("could not offer Resume after a failed continuation", { turnId: entry.turnId, error });
    }
  }

  /** Posts the notice for a cut turn (once per turn, boot and kind) and records the thread's state. */
  async #interrupt(entry: JournalEntry, bootId: string, kind: Notice["kind"], runId?: string): Promise<void> {
    const thread = this.#store.state.threads[entry.slug];
    if (!thread) return;
    const already = Object.values(this.#store.state.notices).find(
      (n) => n.turnId === entry.turnId && n.bootId === bootId && n.kind === kind,
    );
    if (already) return;
    const id = newNoticeId();
    const notice: Notice = {
      id,
      kind,
      slug: entry.slug,
      turnId: entry.turnId,
      conversation: entry.conversation,
      bootId,
      createdAt: this.#clock.now(),
      state: "open",
      runId,
    };
    const voided = Object.fromEntries(
      Object.values(this.#store.state.notices)
        .filter((n) => n.slug === entry.slug && n.state === "open")
        .map((n) => [n.id, { state: "void" as const }]),
    );
    const checkpoint = this.#store.state.checkpoints[entry.slug];
    const policy = threadPolicy(thread, this.#policy);
    const text = noticeText({ thread, entry, checkpoint, kind, policy });
    await this.#store.update({
      notices: { ...voided, [id]: notice },
      // A turn that waits for the person leaves the journal; its notice carries it from here.
      journal: kind === "stop" ? {} : { [entry.turnId]: null },
      threads: {
        [entry.slug]: {
          state: kind === "stop" ? "recovering" : kind === "recover" ? "interrupted" : "awaiting-resume",
        },
      },
      checkpoints: checkpoint ? { [entry.slug]: { status: "interrupted" } } : {},
    });
    // The turn leaves the journal (a Resume sends a new prompt, not the files again): its files go.
    if (kind !== "stop") void this.#intake.release(entry.attachments);
    this.#logger.info("turn interrupted by a restart", {
      slug: entry.slug,
      turnId: entry.turnId,
      kind,
      policy: this.#policy,
    });
    await this.#outbox.post({
      id: `${entry.turnId}:${bootId}:${kind}`,
      conversation: entry.conversation,
      text,
      buttons: [noticeButton(kind, id)],
      noticeId: id,
    });
  }

  async #announceRestart(): Promise<void> {
    for (const conversation of this.#relay.activeConversations()) {
      try {
        await this.#channels.for(conversation).send(conversation, { text: texts.restarting, format: "plain" });
      } catch (error) {
        this.#logger.warn("could not announce the restart", { conversation, error });
      }
    }
  }
}
