import type { Channels } from "../channels.ts";
import type { Reply } from "../commands/command.ts";
import { BotError, ErrorCode, GatewayReason, gatewayReason } from "../errors.ts";
import type { Approval, Thread } from "../model.ts";
import type {
  ApprovalDecision,
  Clock,
  GatewayEvent,
  GatewayPort,
  Logger,
  PendingApproval,
  StorePort,
} from "../ports.ts";
import { texts } from "../texts.ts";
import { approvalButtons, approvalText, newApprovalButtonId, outcomeLine } from "./approval-text.ts";
import type { TurnDeps } from "./deps.ts";

/** Who may answer an approval besides admins: the person whose turn asked, or anyone allowed. */
export type ApproverRule = "requester" | "allowed";

type Outcome = Exclude<Approval["state"], "pending">;

const KEEP_DECIDED_MS = 7 * 24 * 3_600_000;

/**
 * Exec approvals in the conversation (ARCHITECTURE.md §5): an approval OpenClaw holds for a thread's
 * session is posted where that thread's current turn started, with buttons; the first answer wins
 * (the gateway's registry decides, the bot only relays); every decision, from here or elsewhere, is
 * written under the request. After a reconnect the gateway's pending list is read again and each
 * approval is shown once; ones decided meanwhile are brought up to date.
 */
export class Approvals {
  readonly #store: StorePort;
  readonly #gateway: GatewayPort;
  readonly #channels: Channels;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #isAdmin: (senderId: string) => boolean;
  readonly #rule: ApproverRule;
  /** Approvals being posted right now (a request event and a reconcile may race). */
  readonly #posting = new Set<string>();
  /** Approvals being answered right now (two presses may race). */
  readonly #busy = new Set<string>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    options: TurnDeps & {
      isAdmin: (senderId: string) => boolean;
      rule: ApproverRule;
    },
  ) {
    this.#store = options.store;
    this.#gateway = options.gateway;
    this.#channels = options.channels;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#isAdmin = options.isAdmin;
    this.#rule = options.rule;
    this.#gateway.on((event) => this.#onEvent(event));
  }

  /** A button press (or /approve, /deny): relays the decision if the presser may make it. */
  async decide(request: { buttonId?: string; conversation: string; senderId: string; decision: ApprovalDecision }) {
    const record = this.#find(request.buttonId, request.conversation);
    if (record.conversation !== request.conversation) throw new BotError(ErrorCode.Forbidden, texts.foreignButton);
    if (!this.#mayAnswer(record, request.senderId)) throw new BotError(ErrorCode.Forbidden, texts.notYourApproval);
    if (record.state !== "pending")
      throw new BotError(ErrorCode.NothingToDo, texts.alreadyDecided(outcomeLine(record)));
    if (!record.allowed.includes(request.decision)) throw new BotError(ErrorCode.BadInput, texts.decisionNotOffered);
    if (this.#busy.has(record.id)) throw new BotError(ErrorCode.NothingToDo, texts.beingDecided);
    this.#busy.add(record.id);
    try {
      await this.#gateway.resolveApproval({ id: record.id, decision: request.decision });
      await this.#settle(record.id, request.decision, request.senderId);
      return { text: texts.decided(outcomeLine({ state: request.decision, decidedBy: undefined })) } satisfies Reply;
    } catch (error) {
      const reason = gatewayReason(error);
      if (reason !== GatewayReason.ApprovalResolved && reason !== GatewayReason.ApprovalUnknown) throw error;
      // Someone else answered first, or it expired: show what the registry says, change nothing.
      await this.#refresh(record.id);
      const now = this.#store.state.approvals[record.id];
      throw new BotError(ErrorCode.NothingToDo, texts.alreadyDecided(now ? outcomeLine(now) : ""));
    } finally {
      this.#busy.delete(record.id);
    }
  }

  #find(buttonId: string | undefined, conversation: string): Approval {
    const all = Object.values(this.#store.state.approvals);
    const record = buttonId
      ? all.find((a) => a.buttonId === buttonId)
      : all
          .filter((a) => a.conversation === conversation && a.state === "pending")
          .sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!record)
      throw new BotError(
        buttonId ? ErrorCode.NotFound : ErrorCode.NothingToDo,
        buttonId ? texts.oldButton : texts.noApproval,
      );
    return record;
  }

  #mayAnswer(record: Approval, senderId: string): boolean {
    if (this.#isAdmin(senderId)) return true;
    return this.#rule === "allowed" || record.requester === undefined || record.requester === senderId;
  }

  #onEvent(event: GatewayEvent): void {
    const run = (work: Promise<void>) =>
      void work.catch((error: unknown) => this.#logger.warn("approval handling failed", { error }));
    if (event.type === "approval-requested") run(this.#show(event.approval));
    else if (event.type === "approval-resolved") run(this.#resolvedElsewhere(event));
    else if (event.type === "connected") run(this.#reconcile());
  }

  /** Posts a pending approval once, where the thread's current turn started; ignores sessions no thread owns. */
  async #show(approval: PendingApproval): Promise<void> {
    if (approval.sessionKey) await this.#store.load({ sessionKeys: [approval.sessionKey] });
    const known = this.#store.state.approvals[approval.id];
    if (known?.messageId !== undefined || this.#posting.has(approval.id)) return;
    const thread = this.#threadOf(approval.sessionKey);
    const place = thread ? this.#placeOf(thread, approval) : undefined;
    if (!thread || !place || !this.#channels.has(place.conversation)) return;
    this.#posting.add(approval.id);
    try {
      const record = known ?? this.#newRecord(approval, thread, place);
      await this.#store.update({ approvals: { [approval.id]: record } });
      const buttons = approvalButtons(record.buttonId, record.allowed);
      const messageId = await this.#channels
        .for(record.conversation)
        .send(record.conversation, { text: record.text, format: "plain", buttons });
      await this.#store.update({ approvals: { [approval.id]: { messageId } } });
      this.#expireAt(record);
      // Decided while it was being posted: the decision goes under it now.
      const now = this.#store.state.approvals[approval.id];
      if (now && now.state !== "pending") await this.#edit(now);
    } finally {
      this.#posting.delete(approval.id);
    }
  }

  #newRecord(
    approval: PendingApproval,
    thread: Thread,
    place: { conversation: string; requester?: string | undefined },
  ): Approval {
    return {
      id: approval.id,
      slug: thread.slug,
      conversation: place.conversation,
      requester: place.requester,
      buttonId: newApprovalButtonId(),
      text: approvalText(thread, approval),
      allowed: approval.allowedDecisions,
      createdAt: approval.createdAt ?? this.#clock.now(),
      expiresAt: approval.expiresAt,
      state: "pending",
    };
  }

  #threadOf(sessionKey: string | undefined): Thread | undefined {
    if (!sessionKey) return undefined;
    return Object.values(this.#store.state.threads).find((t) => t.sessionKey === sessionKey);
  }

  /** The conversation of the turn that asked (its run, else the thread's newest turn), else where it is bound. */
  #placeOf(thread: Thread, approval: PendingApproval) {
    const turns = Object.values(this.#store.state.journal)
      .filter((e) => e.sessionKey === thread.sessionKey)
      .sort((a, b) => b.seq - a.seq);
    const turn = turns.find((e) => e.turnId === approval.runId) ?? turns[0];
    if (turn) return { conversation: turn.conversation, requester: turn.senderId };
    const bound = Object.entries(this.#store.state.bindings).find(([, b]) => b.slug === thread.slug)?.[0];
    return bound ? { conversation: bound, requester: undefined } : undefined;
  }

  async #resolvedElsewhere(event: Extract<GatewayEvent, { type: "approval-resolved" }>): Promise<void> {
    const record = this.#store.state.approvals[event.id];
    if (record?.state !== "pending" || this.#busy.has(event.id)) return;
    // OpenClaw reports an expiry as a deny nobody made.
    const expired =
      event.resolvedBy === undefined && (record.expiresAt ?? Number.POSITIVE_INFINITY) <= this.#clock.now() + 1_000;
    await this.#settle(event.id, expired ? "expired" : (event.decision ?? "deny"), event.resolvedBy);
  }

  /** After a (re)connect: show what is pending and not shown; bring up to date what was decided meanwhile. */
  async #reconcile(): Promise<void> {
    await this.#forgetOld();
    const pending = await this.#gateway.listApprovals();
    for (const approval of pending) await this.#show(approval);
    const open = new Set(pending.map((a) => a.id));
    for (const record of Object.values(this.#store.state.approvals)) {
      if (record.state === "pending" && !open.has(record.id)) await this.#refresh(record.id);
    }
  }

  /** Decided approvals a week old go: their buttons then answer as any old button does. */
  async #forgetOld(): Promise<void> {
    const before = this.#clock.now() - KEEP_DECIDED_MS;
    const old = Object.values(this.#store.state.approvals).filter((a) => a.state !== "pending" && a.createdAt < before);
    if (old.length > 0) await this.#store.update({ approvals: Object.fromEntries(old.map((a) => [a.id, null])) });
  }

  /** Reads what the registry says of one approval and shows it. */
  async #refresh(id: string): Promise<void> {
    const status = await this.#gateway
      .approvalStatus(id)
      .catch(() => ({ status: "cancelled" as const, decision: undefined, resolvedBy: undefined }));
    if (status.status === "pending") return;
    const outcome: Outcome =
      status.status === "expired"
        ? "expired"
        : status.status === "cancelled"
          ? "cancelled"
          : (status.decision ?? "deny");
    await this.#settle(id, outcome, status.resolvedBy);
  }

  /** Records a decision once and writes it under the request, without buttons. */
  async #settle(id: string, outcome: Outcome, decidedBy: string | undefined): Promise<void> {
    const record = this.#store.state.approvals[id];
    if (record?.state !== "pending") return;
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    await this.#store.update({ approvals: { [id]: { state: outcome, ...(decidedBy ? { decidedBy } : {}) } } });
    const done = this.#store.state.approvals[id];
    if (done) await this.#edit(done);
  }

  /** Writes the decision under the request and takes the buttons away (once it has a message). */
  async #edit(record: Approval): Promise<void> {
    if (!record.messageId) return;
    const text = `${record.text}\n\n${outcomeLine(record)}`;
    await this.#channels
      .for(record.conversation)
      .edit(record.conversation, record.messageId, { text, format: "plain", buttons: [] });
  }

  /** Shows an expiry even when no event says so (the gateway was away at that moment). */
  #expireAt(record: Approval): void {
    if (record.expiresAt === undefined || this.#timers.has(record.id)) return;
    const wait = Math.max(0, record.expiresAt - this.#clock.now()) + 1_000;
    const timer = setTimeout(() => {
      this.#timers.delete(record.id);
      void this.#refresh(record.id);
    }, wait);
    timer.unref?.();
    this.#timers.set(record.id, timer);
  }
}
