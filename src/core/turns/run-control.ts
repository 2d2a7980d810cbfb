import { randomUUID } from "node:crypto";
import type { Reply } from "../commands/command.ts";
import { BotError, ErrorCode, GatewayReason, gatewayReason } from "../errors.ts";
import type { JournalEntry, Thread } from "../model.ts";
import type { Clock, GatewayPort, Logger, StorePort } from "../ports.ts";
import { texts } from "../texts.ts";
import type { ThreadRegistry } from "../threads/registry.ts";
import { sentPatch } from "./checkpoints.ts";
import type { Relay } from "./relay.ts";
import type { Resumer } from "./resume.ts";
import type { StopGuard } from "./stop-guard.ts";
import type { Watch } from "./watches.ts";

/** The wait before trying a refused interrupt again (OpenClaw's retryAfterMs is 250). */
const RETRY_MS = 300;

/** Who asks to stop or steer, and where. */
export interface RunRequest {
  conversation: string;
  senderId: string;
}

/**
 * /stop and /steer (issue 13): act on the turn of the thread bound here that the relay is following,
 * whoever started it (the bot, a resume, OpenClaw's own continuation). Whether anything runs is decided
 * from what the relay follows, so "nothing is running" costs no gateway call.
 */
export class RunControl {
  readonly #store: StorePort;
  readonly #gateway: GatewayPort;
  readonly #relay: Relay;
  readonly #threads: ThreadRegistry;
  readonly #resumer: Resumer;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #takeBack: Pick<StopGuard, "holding"> | undefined;

  constructor(options: {
    store: StorePort;
    gateway: GatewayPort;
    relay: Relay;
    threads: ThreadRegistry;
    resumer: Resumer;
    clock: Clock;
    logger: Logger;
    /** confirm: while OpenClaw's crash re-run of a session is taken back, the bot's turns wait (relay). */
    takeBack?: Pick<StopGuard, "holding"> | undefined;
  }) {
    this.#store = options.store;
    this.#gateway = options.gateway;
    this.#relay = options.relay;
    this.#threads = options.threads;
    this.#resumer = options.resumer;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#takeBack = options.takeBack;
  }

  /**
   * Aborts the running turn of the thread bound here: its partial answer stays, marked stopped, its
   * journal entry closes, and the thread's next queued message goes as usual.
   */
  async stop(request: RunRequest): Promise<Reply> {
    const thread = this.#bound(request.conversation);
    const watch = this.#relay.running(thread.slug);
    if (!watch) throw new BotError(ErrorCode.NothingToDo, texts.nothingRunning(thread.name));
    // OpenClaw's continuation behind a Stop notice: the notice's Stop, which keeps stopping it if
    // OpenClaw admits it again (StopGuard) and marks the notice used.
    const notice = this.#stopNotice(watch);
    if (notice) return this.#resumer.run({ ...request, conversation: notice.conversation, noticeId: notice.id });
    this.#requireGateway();
    const { sessionKey } = watch.entry;
    // Only this turn's runs: the thread's queued messages wait in the bot's queue, not OpenClaw's.
    const runIds: (string | undefined)[] = [...watch.runIds];
    // A turn that follows its session (its answer comes under a run id not seen yet): the session's run.
    if (watch.followSession) runIds.push(undefined);
    for (const runId of runIds) await this.#gateway.chatAbort({ sessionKey, runId });
    await this.#relay.stopped(watch.entry.turnId);
    return { text: texts.stoppedRun(thread.name) };
  }

  /**
   * Sends `text` as an interrupting message to the running turn of the thread bound here; its answer
   * streams where the interrupted turn was streaming. With nothing running it is an ordinary message.
   */
  async steer(request: RunRequest & { text: string }): Promise<Reply> {
    const thread = this.#bound(request.conversation);
    const text = request.text.trim();
    if (!text) throw new BotError(ErrorCode.BadInput, texts.steerEmpty);
    const watch = this.#relay.running(thread.slug);
    const bootId = this.#gateway.connected ? this.#gateway.bootId : undefined;
    // Nothing to interrupt, or the relay must hold the message (gateway away, a take-back): as usual.
    if (!watch || bootId === undefined || this.#takeBack?.holding(thread.sessionKey)) {
      await this.#relay.accept({ thread, conversation: request.conversation, senderId: request.senderId, text });
      return { text: this.#gateway.connected ? texts.steerIdle(thread.name) : texts.queued };
    }
    await this.#interrupt(thread, watch, { ...request, text }, bootId);
    return { text: texts.steering(thread.name) };
  }

  /** The running turn whose answer shows as `messageId` here: a reply to it steers (see App.handleMessage). */
  steersReply(conversation: string, messageId: string): boolean {
    return this.#relay.showing(conversation, messageId) !== undefined;
  }

  /**
   * Journals the steer as sent (one write, before the send, as for any turn), follows it and sends it
   * with queueMode "interrupt". The interrupted turn ends "aborted" (its partial answer marked
   * redirected); the steer's own run answers in a new message below it, so nothing shows twice.
   */
  async #interrupt(thread: Thread, watch: Watch, request: RunRequest & { text: string }, bootId: string) {
    const now = this.#clock.now();
    const seq = this.#store.state.seq + 1;
    const entry: JournalEntry = {
      turnId: randomUUID(),
      slug: thread.slug,
      sessionKey: thread.sessionKey,
      conversation: watch.entry.conversation,
      senderId: request.senderId,
      text: request.text,
      kind: "message",
      createdAt: now,
      seq,
    };
    const sent = sentPatch(entry, bootId, now);
    const stored = { ...entry, ...sent.entry };
    await this.#store.update({
      seq,
      journal: { [entry.turnId]: stored },
      threads: { [thread.slug]: { lastActivityAt: now, messageCount: thread.messageCount + 1, ...sent.thread } },
      checkpoints: sent.checkpoints,
    });
    watch.steered = true;
    void this.#relay.follow(stored, { checkNow: false });
    try {
      const ack = await this.#sendInterrupt(stored);
      this.#logger.info("steered a running turn", { turnId: stored.turnId, interrupted: ack.interruptedActiveRun });
      // OpenClaw acks once the interrupted run has settled. A turn that follows its session (OpenClaw's
      // continuation) may have adopted no run id yet, so no event of its own would end it.
      if (ack.interruptedActiveRun) await this.#relay.stopped(watch.entry.turnId);
    } catch (error) {
      watch.steered = false;
      await this.#relay.sendFailed(stored, error);
    }
  }

  /**
   * OpenClaw refuses an interrupt whose cut turn did not settle within 15 s ("Previous run is still
   * shutting down", UNAVAILABLE, retryable, before admission): tried again twice, then it is an ordinary
   * refusal (a draining gateway refuses the same way, and the relay keeps the message for its return).
   */
  async #sendInterrupt(entry: JournalEntry) {
    const params = { sessionKey: entry.sessionKey, message: entry.text, idempotencyKey: entry.turnId };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#gateway.chatInterrupt(params);
      } catch (error) {
        if (attempt >= 3 || gatewayReason(error) !== GatewayReason.Refused || !this.#gateway.connected) throw error;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS * attempt));
      }
    }
  }

  #stopNotice(watch: Watch) {
    return Object.values(this.#store.state.notices).find(
      (n) => n.kind === "stop" && n.state === "open" && n.turnId === watch.entry.turnId,
    );
  }

  #bound(conversation: string): Thread {
    const thread = this.#threads.boundThread(conversation);
    if (!thread) throw new BotError(ErrorCode.NothingToDo, texts.noThreadHere);
    return thread;
  }

  #requireGateway(): void {
    if (!this.#gateway.connected) throw new BotError(ErrorCode.GatewayAway, texts.gatewayUnreachable);
  }
}
