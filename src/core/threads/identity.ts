import type { Channels } from "../channels.ts";
import type { Place } from "../commands/command.ts";
import { BotError, ErrorCode, GatewayReason, gatewayReason } from "../errors.ts";
import { inSpace, nativeThreadKey } from "../keys/conversation-key.ts";
import { encodeSessionKey } from "../keys/session-key.ts";
import type { ResumePolicy, Thread } from "../model.ts";
import type { Clock, GatewayPort, Logger, StorePort } from "../ports.ts";
import { texts } from "../texts.ts";
import { requireGateway, type ThreadRegistry, type TurnActivity } from "./registry.ts";

/** What the identity commands need besides the store and the gateway. */
export interface IdentityDeps {
  store: StorePort;
  gateway: GatewayPort;
  threads: ThreadRegistry;
  channels: Channels;
  turns: TurnActivity;
  agentId: string;
  policy: ResumePolicy;
  clock: Clock;
  logger: Logger;
}

/** How long /threads waits for OpenClaw's archived rows before it lists without them. */
const ARCHIVED_WAIT_MS = 1_500;

/**
 * A thread's identity: its name (rename, with the old names kept as aliases), forks of it, and
 * which threads OpenClaw archived. Reset and delete, which ask first, are in confirmations.ts.
 */
export class ThreadIdentity {
  readonly #deps: IdentityDeps;

  constructor(deps: IdentityDeps) {
    this.#deps = deps;
  }

  /** The thread bound to `conversation`; NOT_FOUND with the usual line when none is. */
  boundHere(conversation: string): Thread {
    const thread = this.#deps.threads.boundThread(conversation);
    if (!thread) throw new BotError(ErrorCode.NotFound, texts.noThreadHere);
    return thread;
  }

  /** Refuses (one line) while a turn of the thread runs or a message of it waits to be sent. */
  assertIdle(thread: Thread, what: string): void {
    const { turns, store } = this.#deps;
    const inFlight = Object.values(store.state.journal).some((entry) => entry.slug === thread.slug);
    if (turns.isActive(thread.slug) || inFlight || thread.state === "running" || thread.state === "recovering") {
      throw new BotError(ErrorCode.BadInput, texts.busyThread(thread.name, what));
    }
  }

  /** Refuses (one line) when a space administrator's reach does not cover every binding of the thread. */
  assertWithin(thread: Thread, space: string | undefined): void {
    if (space === undefined) return;
    const outside = this.#deps.threads.conversationsOf(thread.slug).some((c) => !inSpace(c, space));
    if (outside) throw new BotError(ErrorCode.Forbidden, texts.boundElsewhere(thread.name));
  }

  /** A new name for a thread: a new label; the slug and session key stay; every earlier name keeps reaching it. */
  async rename(request: { conversation: string; name: string }): Promise<string> {
    const thread = this.boundHere(request.conversation);
    const { display, slug } = this.#deps.threads.parseNewName(request.name);
    await this.#assertFree(display, thread);
    if (display === thread.name) throw new BotError(ErrorCode.NothingToDo, texts.sameName(display));
    requireGateway(this.#deps.gateway);
    const { label, note } = await this.#relabel(thread, display);
    const now = this.#deps.clock.now();
    const alias = slug === thread.slug ? {} : { [slug]: { slug: thread.slug, createdAt: now } };
    await this.#deps.store.update({ threads: { [thread.slug]: { name: display, label } }, aliases: alias });
    const failed = await this.#renameNative(thread.slug, display);
    const lines = [texts.renamed(thread.name, display, thread.slug, thread.sessionKey)];
    if (note) lines.push(note);
    if (failed > 0) lines.push(texts.topicsNotRenamed(failed));
    return lines.join("\n");
  }

  /** A new named thread whose session OpenClaw forked from this one's; bound where it was asked for. */
  async fork(request: { place: Place; name: string; senderId: string }): Promise<string> {
    const source = this.boundHere(request.place.conversation);
    const { display, slug } = this.#deps.threads.parseNewName(request.name);
    await this.#assertFree(display);
    requireGateway(this.#deps.gateway);
    const { agentId, policy, clock, store } = this.#deps;
    const key = encodeSessionKey({ agentId, slug });
    // Under confirm-child a thread is a child with spawnDepth 1, which OpenClaw's restart recovery skips.
    const spawnDepth = policy === "confirm-child" ? 1 : undefined;
    const { created, label, note } = await this.#forkLabelled({
      key,
      parent: source.sessionKey,
      display,
      slug,
      spawnDepth,
    });
    const now = clock.now();
    const thread: Thread = {
      slug,
      name: display,
      agentId,
      sessionKey: created.key,
      label,
      parentSessionKey: spawnDepth ? source.sessionKey : undefined,
      createdAt: now,
      createdBy: request.senderId,
      lastActivityAt: now,
      messageCount: source.messageCount,
      state: "idle",
    };
    const binding = { slug, boundAt: now, boundBy: request.senderId };
    await store.update({ threads: { [slug]: thread }, bindings: { [request.place.conversation]: binding } });
    const lines = [texts.forked(source.name, display, slug, created.key)];
    if (note) lines.push(note);
    return lines.join("\n");
  }

  /** Slugs of the threads whose sessions OpenClaw archived; undefined when it cannot tell in time. */
  async archivedSlugs(): Promise<Set<string> | undefined> {
    const { gateway, store } = this.#deps;
    if (!gateway.connected) return undefined;
    const rows = await gateway.listSessions({ archived: true }, { timeoutMs: ARCHIVED_WAIT_MS }).catch(() => undefined);
    if (!rows) return undefined;
    const keys = new Set(rows.filter((r) => r.archived !== false).map((r) => r.key));
    await store.load({ sessionKeys: [...keys] });
    return new Set(Object.values(store.state.threads).flatMap((t) => (keys.has(t.sessionKey) ? [t.slug] : [])));
  }

  /** NAME_TAKEN when the name already reaches a thread (by its slug or an alias) other than `self`. */
  async #assertFree(display: string, self?: Thread): Promise<void> {
    const owner = await this.#deps.threads.byName(display);
    if (owner && owner.slug !== self?.slug)
      throw new BotError(ErrorCode.BadInput, texts.nameTaken(display, owner.name));
  }

  /** sessions.patch of the label; on a clash with another session, `Name (slug)`, as creation does. */
  async #relabel(thread: Thread, display: string): Promise<{ label: string | null; note?: string | undefined }> {
    for (const label of [display, `${display} (${thread.slug})`]) {
      try {
        await this.#deps.gateway.patchSession({ key: thread.sessionKey, label });
        return { label, note: label === display ? undefined : texts.labelVariant(display, label) };
      } catch (error) {
        if (gatewayReason(error) !== GatewayReason.LabelTaken) throw error;
      }
    }
    await this.#deps.gateway.patchSession({ key: thread.sessionKey, label: null });
    return { label: null, note: texts.noLabel(display) };
  }

  async #forkLabelled(request: {
    key: string;
    parent: string;
    display: string;
    slug: string;
    spawnDepth: number | undefined;
  }) {
    const { key, parent, display, slug, spawnDepth } = request;
    for (const label of [display, `${display} (${slug})`]) {
      try {
        const created = await this.#deps.gateway.forkSession({ key, parentSessionKey: parent, label, spawnDepth });
        return { created, label, note: label === display ? undefined : texts.labelVariant(display, label) };
      } catch (error) {
        if (gatewayReason(error) !== GatewayReason.LabelTaken) throw error;
      }
    }
    const created = await this.#deps.gateway.forkSession({ key, parentSessionKey: parent, spawnDepth });
    return { created, label: undefined, note: texts.noLabel(display) };
  }

  /** Renames the topics/threads the bot opened for the thread and still bound to it; returns how many could not be. */
  async #renameNative(slug: string, name: string): Promise<number> {
    const { store, channels, logger } = this.#deps;
    let failed = 0;
    for (const [key, native] of Object.entries(store.state.nativeThreads)) {
      // Only a topic still bound to the thread shows its name (a fork may have been bound there since).
      const ours =
        nativeThreadKey.decode(key)?.slug === slug && store.state.bindings[native.conversation]?.slug === slug;
      if (!ours || !channels.has(native.conversation)) continue;
      try {
        await channels.for(native.conversation).renameThread?.(native.conversation, name);
      } catch (error) {
        failed += 1;
        logger.warn("could not rename a native thread", { slug, conversation: native.conversation, error });
      }
    }
    return failed;
  }
}
