import { randomBytes } from "node:crypto";
import type { Channels } from "../channels.ts";
import type { Reply } from "../commands/command.ts";
import type { Confirmation, Thread } from "../model.ts";
import type { Button, Clock, GatewayPort, Logger, StorePort } from "../ports.ts";
import { texts } from "../texts.ts";
import { deletionPatch, resetPatch } from "./forget.ts";
import type { ThreadIdentity } from "./identity.ts";
import { requireGateway } from "./registry.ts";

/** How long a reset or delete question may be answered. */
export const CONFIRM_TTL_MS = 2 * 60_000;

/** Answered questions are forgotten a day after they expired, so the store does not grow with each. */
const FORGET_AFTER_MS = 24 * 60 * 60_000;

const ACTION = /^tk:cf:([A-Za-z0-9_-]{1,24}):([yn])$/;

/** The confirmation a button press carries, if it is one. */
export function parseConfirmAction(data: string): { id: string; yes: boolean } | undefined {
  const match = ACTION.exec(data);
  return match?.[1] && match[2] ? { id: match[1], yes: match[2] === "y" } : undefined;
}

function buttons(kind: Confirmation["kind"], id: string): Button[] {
  const label = kind === "reset" ? texts.confirmResetButton : texts.confirmDeleteButton;
  return [
    { label, data: `tk:cf:${id}:y` },
    { label: texts.cancelButton, data: `tk:cf:${id}:n` },
  ];
}

/** A press of a confirmation button. */
export interface ConfirmPress {
  data: string;
  conversation: string;
  senderId: string;
  /** The message with the question, so it can lose its buttons once answered. */
  messageId?: string | undefined;
}

/** What the questions need. */
export interface ConfirmationDeps {
  store: StorePort;
  gateway: GatewayPort;
  identity: ThreadIdentity;
  channels: Channels;
  clock: Clock;
  logger: Logger;
}

/**
 * /thread reset and /thread delete ask first. The question is a store record, so a press after a bot
 * restart still works or says it expired; the record is claimed (`acting`, on disk) before the gateway
 * is asked, so a second press, or a press after a crash mid-way, never sends anything twice.
 */
export class Confirmations {
  readonly #deps: ConfirmationDeps;

  constructor(deps: ConfirmationDeps) {
    this.#deps = deps;
  }

  /** Asks the sender whether to reset or delete the thread bound here; the question expires. */
  async ask(request: {
    kind: Confirmation["kind"];
    conversation: string;
    senderId: string;
    /** The chat or server a space administrator's reach is limited to (delete). */
    space?: string | undefined;
  }): Promise<Reply> {
    const { identity, store, clock } = this.#deps;
    const thread = identity.boundHere(request.conversation);
    identity.assertIdle(thread, `/thread ${request.kind}`);
    identity.assertWithin(thread, request.space);
    requireGateway(this.#deps.gateway);
    const now = clock.now();
    const id = randomBytes(8).toString("base64url");
    const record: Confirmation = {
      id,
      kind: request.kind,
      slug: thread.slug,
      sessionKey: thread.sessionKey,
      conversation: request.conversation,
      askedBy: request.senderId,
      space: request.space,
      createdAt: now,
      expiresAt: now + CONFIRM_TTL_MS,
      state: "open",
    };
    await store.update({ confirmations: { ...this.#stale(now), [id]: record } });
    const minutes = CONFIRM_TTL_MS / 60_000;
    const text =
      request.kind === "reset" ? texts.confirmReset(thread.name, minutes) : texts.confirmDelete(thread.name, minutes);
    return { text, buttons: buttons(request.kind, id) };
  }

  /** `/thread reset yes` (a terminal has no buttons): presses Reset on the sender's newest open question here. */
  async answerTyped(request: { kind: Confirmation["kind"]; conversation: string; senderId: string }): Promise<Reply> {
    const open = Object.values(this.#deps.store.state.confirmations)
      .filter((c) => c.kind === request.kind && c.conversation === request.conversation && c.state === "open")
      .filter((c) => c.askedBy === request.senderId)
      .sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!open) return { text: texts.noQuestion(request.kind), ephemeral: true };
    return this.press({ data: `tk:cf:${open.id}:y`, conversation: request.conversation, senderId: request.senderId });
  }

  /** Answers a press: only the asker, only once, only before it expires. */
  async press(press: ConfirmPress): Promise<Reply> {
    const action = parseConfirmAction(press.data);
    const record = action ? this.#deps.store.state.confirmations[action.id] : undefined;
    if (!action || !record) return { text: texts.oldButton, ephemeral: true };
    if (record.conversation !== press.conversation) return { text: texts.foreignButton, ephemeral: true };
    if (record.askedBy !== press.senderId) return { text: texts.notYourQuestion, ephemeral: true };
    const refusal = this.#refusal(record);
    if (refusal) return { text: refusal, ephemeral: true };
    if (!action.yes) return this.#close(record, "cancelled", texts.questionCancelled, press.messageId);
    const thread = this.#deps.store.state.threads[record.slug];
    if (thread?.sessionKey !== record.sessionKey) {
      return this.#close(record, "cancelled", texts.threadChanged, press.messageId);
    }
    this.#deps.identity.assertIdle(thread, `press ${record.kind === "reset" ? "Reset" : "Delete"}`);
    this.#deps.identity.assertWithin(thread, record.space);
    requireGateway(this.#deps.gateway);
    await this.#deps.store.update({ confirmations: { [record.id]: { state: "acting" } } });
    try {
      const done = await this.#act(record, thread);
      return await this.#close(record, "done", done, press.messageId);
    } catch (error) {
      await this.#deps.store.update({ confirmations: { [record.id]: { state: "failed" } } });
      throw error;
    }
  }

  /** Why a press cannot act on this record any more, if it cannot. */
  #refusal(record: Confirmation): string | undefined {
    if (record.state === "acting") return texts.questionInterrupted;
    if (record.state !== "open") return texts.questionAnswered;
    return this.#deps.clock.now() > record.expiresAt ? texts.questionExpired : undefined;
  }

  async #act(record: Confirmation, thread: Thread): Promise<string> {
    const { gateway, store, clock } = this.#deps;
    if (record.kind === "reset") {
      await gateway.resetSession({ key: thread.sessionKey });
      await store.update(resetPatch(store.state, thread.slug, clock.now()));
      return texts.resetDone(thread.name);
    }
    await gateway.deleteSession({ key: thread.sessionKey });
    await store.update(deletionPatch(store.state, thread.slug));
    return texts.deleteDone(thread.name);
  }

  /** Records the outcome and takes the buttons off the question (best effort: the record decides). */
  async #close(record: Confirmation, state: Confirmation["state"], text: string, messageId: string | undefined) {
    const { store, channels, logger } = this.#deps;
    await store.update({ confirmations: { [record.id]: { state } } });
    if (messageId && channels.has(record.conversation)) {
      await channels
        .for(record.conversation)
        .edit(record.conversation, messageId, { text, buttons: [] })
        .catch((error: unknown) => logger.warn("could not update a confirmation question", { error }));
    }
    return { text };
  }

  /** Patch entries that forget questions long expired. */
  #stale(now: number): Record<string, null> {
    const old = Object.values(this.#deps.store.state.confirmations).filter((c) => c.expiresAt + FORGET_AFTER_MS < now);
    return Object.fromEntries(old.map((c) => [c.id, null]));
  }
}
