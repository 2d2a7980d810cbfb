import type { Reply } from "../commands/command.ts";
import { BotError, ErrorCode } from "../errors.ts";
import { slugify } from "../keys/thread-slug.ts";
import type { JournalEntry, Notice } from "../model.ts";
import type { Clock, GatewayPort, Logger, StorePort } from "../ports.ts";
import { texts } from "../texts.ts";
import { requireGateway, type ThreadRegistry } from "../threads/registry.ts";
import { resumePrompt } from "./notices.ts";
import type { Relay } from "./relay.ts";
import { sessionBusy } from "./session-busy.ts";
import type { StopGuard } from "./stop-guard.ts";

/** How a resume was asked for. */
export interface ResumeRequest {
  conversation: string;
  senderId: string;
  /** The notice behind a pressed button. */
  noticeId?: string | undefined;
  /** The notice message a reply answered (its text becomes the instruction). */
  replyToMessageId?: string | undefined;
  /** /resume <name>. */
  name?: string | undefined;
  instruction?: string | undefined;
}

/**
 * Resume, Stop and Recover (ARCHITECTURE.md §6): continue an interrupted turn with one chat.send under a
 * fresh key, abort OpenClaw's own continuation, or move a tombstoned thread to a new session.
 * Every refusal is decided from the store before any gateway request.
 */
export class Resumer {
  readonly #store: StorePort;
  readonly #gateway: GatewayPort;
  readonly #relay: Relay;
  readonly #threads: ThreadRegistry;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** Notices whose action is being carried out right now. */
  readonly #handling = new Set<string>();
  readonly #stops: StopGuard;

  constructor(options: {
    store: StorePort;
    gateway: GatewayPort;
    relay: Relay;
    threads: ThreadRegistry;
    clock: Clock;
    logger: Logger;
    stops: StopGuard;
  }) {
    this.#store = options.store;
    this.#gateway = options.gateway;
    this.#relay = options.relay;
    this.#threads = options.threads;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#stops = options.stops;
  }

  /** The open notice a reply answers, if the message replied to is one. */
  noticeForReply(conversation: string, messageId: string): Notice | undefined {
    return Object.values(this.#store.state.notices).find(
      (n) => n.conversation === conversation && n.messageId === messageId,
    );
  }

  /** Runs a Resume / Stop / Recover; returns the short answer for the person. */
  async run(request: ResumeRequest): Promise<Reply> {
    const notice = this.#find(request);
    if (notice.conversation !== request.conversation) {
      throw new BotError(ErrorCode.Forbidden, texts.foreignButton);
    }
    if (notice.state === "used") throw new BotError(ErrorCode.NothingToDo, texts.alreadyContinued);
    if (notice.state === "void") throw new BotError(ErrorCode.NothingToDo, texts.noticeOutOfDate);
    requireGateway(this.#gateway);
    // Presses that arrive while one is being handled (it awaits the gateway) must not act again.
    if (this.#handling.has(notice.id)) throw new BotError(ErrorCode.NothingToDo, texts.beingContinued);
    this.#handling.add(notice.id);
    try {
      if (notice.kind === "stop") return await this.#stop(notice);
      if (notice.kind === "recover") return await this.#recover(notice, request.senderId);
      return await this.#resume(notice, request);
    } finally {
      this.#handling.delete(notice.id);
    }
  }

  #find(request: ResumeRequest): Notice {
    const notices = this.#store.state.notices;
    if (request.noticeId) {
      const notice = notices[request.noticeId];
      if (!notice) throw new BotError(ErrorCode.NotFound, texts.oldButton);
      return notice;
    }
    if (request.replyToMessageId) {
      const notice = this.noticeForReply(request.conversation, request.replyToMessageId);
      if (notice) return notice;
    }
    const slug = request.name ? slugify(request.name) : this.#threads.binding(request.conversation)?.slug;
    if (!slug) throw new BotError(ErrorCode.NothingToDo, texts.resumeWhere);
    const open = Object.values(notices)
      .filter((n) => n.slug === slug && n.state === "open" && n.kind !== "stop")
      .sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!open) throw new BotError(ErrorCode.NothingToDo, texts.nothingToResume);
    // `/resume <name>` may come from another conversation than the one the turn started in: the
    // continuation then streams into the conversation that asked for it.
    return request.name ? { ...open, conversation: request.conversation } : open;
  }

  async #resume(notice: Notice, request: ResumeRequest): Promise<Reply> {
    const thread = this.#threads.get(notice.slug);
    if (!thread) throw new BotError(ErrorCode.NotFound, texts.threadGone);
    // Under confirm, OpenClaw's re-run is taken back first (seconds after a crash); then the session is idle.
    await this.#stops.held(thread.sessionKey);
    const history = await this.#gateway.chatHistory({ sessionKey: thread.sessionKey, limit: 1 });
    if (sessionBusy(history.session) || this.#relay.isActive(thread.slug)) {
      throw new BotError(ErrorCode.NothingToDo, texts.stillWorking);
    }
    const checkpoint = this.#store.state.checkpoints[thread.slug];
    const task = checkpoint?.turnId === notice.turnId ? checkpoint.task : (checkpoint?.task ?? "(unknown)");
    // Used before sending: a second press, even a concurrent one, finds it used.
    await this.#store.update({
      notices: { [notice.id]: { state: "used" } },
      threads: { [thread.slug]: { state: "idle" } },
    });
    // A checkpoint of a later turn (one that ended since) would name the wrong last step.
    const ofThisTurn = checkpoint?.turnId === notice.turnId ? checkpoint : undefined;
    const text = resumePrompt({ task, checkpoint: ofThisTurn, instruction: request.instruction });
    await this.#relay.accept({
      thread,
      conversation: request.conversation,
      senderId: request.senderId,
      text,
      kind: "resume",
    });
    return { text: texts.resuming(thread.name) };
  }

  async #stop(notice: Notice): Promise<Reply> {
    const thread = this.#threads.get(notice.slug);
    if (!thread) throw new BotError(ErrorCode.NotFound, texts.threadGone);
    // The turn's journal entry closes when its answer is delivered: then there is nothing to stop.
    if (!this.#store.state.journal[notice.turnId]) {
      throw new BotError(ErrorCode.NothingToDo, texts.nothingToStop);
    }
    await this.#store.update({ notices: { [notice.id]: { state: "used" } } });
    // Armed first: a continuation OpenClaw admits later (or after the gateway is back) is stopped too.
    this.#stops.arm(thread.sessionKey, notice.runId, (runId) => this.#store.state.journal[runId] !== undefined);
    await this.#gateway.chatAbort({ sessionKey: thread.sessionKey, runId: notice.runId });
    await this.#relay.stopped(notice.turnId);
    return { text: texts.stopping(thread.name) };
  }

  async #recover(notice: Notice, senderId: string): Promise<Reply> {
    const thread = this.#threads.get(notice.slug);
    if (!thread) throw new BotError(ErrorCode.NotFound, texts.threadGone);
    await this.#store.update({
      notices: { [notice.id]: { state: "used" } },
      threads: { [thread.slug]: { state: "recovering" } },
    });
    const recovered = await this.#gateway.recoverSession({ key: thread.sessionKey });
    await this.#moveLabel(thread.sessionKey, recovered.key, thread.label);
    await this.#threads.repoint(thread.slug, recovered.key, thread.label);
    const runId = recovered.continuationRunId ?? `restart-recovery-rollover:${recovered.sessionId}`;
    const seq = this.#store.state.seq + 1;
    const entry: JournalEntry = {
      turnId: runId,
      slug: thread.slug,
      sessionKey: recovered.key,
      conversation: notice.conversation,
      senderId,
      text: "[recover]",
      kind: "resume",
      createdAt: this.#clock.now(),
      seq,
      sentBootId: this.#gateway.bootId,
      sentAt: this.#clock.now(),
    };
    await this.#store.update({ seq, journal: { [entry.turnId]: entry } });
    void this.#relay.follow(entry, { runIds: [runId], followSession: true });
    return { text: texts.recovering(thread.name) };
  }

  /** Labels are unique per agent: clear the old session's label before setting it on the new one. */
  async #moveLabel(oldKey: string, newKey: string, label: string | undefined): Promise<void> {
    if (!label) return;
    try {
      await this.#gateway.patchSession({ key: oldKey, label: null });
      await this.#gateway.patchSession({ key: newKey, label });
    } catch (error) {
      this.#logger.warn("could not move the label to the recovered session", { error });
    }
  }
}
