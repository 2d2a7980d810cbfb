import type { Place, Sender } from "../commands/command.ts";
import { BotError, ErrorCode, isBotError } from "../errors.ts";
import { nativeThreadKey } from "../keys/conversation-key.ts";
import { encodeRootSessionKey, encodeSessionKey } from "../keys/session-key.ts";
import { parseThreadName, slugify } from "../keys/thread-slug.ts";
import type { Binding, ResumePolicy, Thread } from "../model.ts";
import type { Clock, GatewayPort, Logger, StorePort } from "../ports.ts";

/** What /thread <name> did. */
export interface AttachResult {
  thread: Thread;
  created: boolean;
  /** Conversation that is now bound (a new topic/thread, or the place itself). */
  conversation: string;
  /** Set when the label had to be changed or could not be set. */
  labelNote?: string | undefined;
  /** Set when the gateway was away and the thread was bound without reaching it. */
  offline?: boolean | undefined;
}

/** Creates, re-attaches, binds and lists named threads. */
export class ThreadRegistry {
  readonly #store: StorePort;
  readonly #gateway: GatewayPort;
  readonly #agentId: string;
  readonly #policy: ResumePolicy;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #rootReady = false;

  constructor(options: {
    store: StorePort;
    gateway: GatewayPort;
    agentId: string;
    policy: ResumePolicy;
    clock: Clock;
    logger: Logger;
  }) {
    this.#store = options.store;
    this.#gateway = options.gateway;
    this.#agentId = options.agentId;
    this.#policy = options.policy;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  /** The thread with this slug, if any. */
  get(slug: string): Thread | undefined {
    return this.#store.state.threads[slug];
  }

  /** The thread a name refers to (by its slug), if any. */
  byName(name: string): Thread | undefined {
    return this.get(slugify(name.trim()));
  }

  /** The binding of a conversation, if any. */
  binding(conversation: string): Binding | undefined {
    return this.#store.state.bindings[conversation];
  }

  /** The thread bound to a conversation, if any. */
  boundThread(conversation: string): Thread | undefined {
    const binding = this.binding(conversation);
    return binding ? this.get(binding.slug) : undefined;
  }

  /** Conversations bound to a thread. */
  conversationsOf(slug: string): string[] {
    return Object.entries(this.#store.state.bindings)
      .filter(([, binding]) => binding.slug === slug)
      .map(([conversation]) => conversation);
  }

  /** /thread <name>: create the thread if new, else re-attach it; bind it where the person asked. */
  async attach(request: { name: string; place: Place; sender: Sender }): Promise<AttachResult> {
    const { display, slug } = parseThreadName(request.name);
    const known = this.get(slug);
    const ensured = known ? await this.#reattach(known) : await this.#create(display, slug, request.sender.id);
    const conversation = await this.#bindTarget(request.place, ensured.thread);
    const now = this.#clock.now();
    // A known thread may have changed while the gateway was asked (a turn ended, a message came):
    // write only what re-attaching changed, never the whole record read before.
    await this.#store.update({
      threads: { [slug]: known ? { sessionKey: ensured.thread.sessionKey } : ensured.thread },
      bindings: { [conversation]: { slug, boundAt: now, boundBy: request.sender.id } },
    });
    return { ...ensured, thread: this.get(slug) ?? ensured.thread, conversation, created: !known };
  }

  /** /thread off: unbind; the thread and its session stay. */
  async unbind(conversation: string): Promise<Thread | undefined> {
    const thread = this.boundThread(conversation);
    if (!thread) return undefined;
    await this.#store.update({ bindings: { [conversation]: null } });
    return thread;
  }

  /** Points a thread at a new session key (after sessions.recover) and records its label. */
  async repoint(slug: string, sessionKey: string, label: string | undefined): Promise<void> {
    await this.#store.update({ threads: { [slug]: { sessionKey, label: label ?? null } } });
  }

  async #create(
    display: string,
    slug: string,
    createdBy: string,
  ): Promise<Omit<AttachResult, "conversation" | "created">> {
    const key = encodeSessionKey({ agentId: this.#agentId, slug });
    const parentSessionKey = this.#policy === "confirm" ? await this.#ensureRoot() : undefined;
    const { sessionKey, label, labelNote } = await this.#createLabelled(key, display, slug, parentSessionKey);
    const now = this.#clock.now();
    const thread: Thread = {
      slug,
      name: display,
      agentId: this.#agentId,
      sessionKey,
      label,
      parentSessionKey,
      createdAt: now,
      createdBy,
      lastActivityAt: now,
      messageCount: 0,
      state: "idle",
    };
    return { thread, labelNote };
  }

  /** sessions.create with the display name as label; on a clash, a deterministic variant. */
  async #createLabelled(key: string, display: string, slug: string, parentSessionKey: string | undefined) {
    const spawn = parentSessionKey ? { parentSessionKey, spawnDepth: 1 } : {};
    const candidates = [display, `${display} (${slug})`];
    for (const label of candidates) {
      try {
        const created = await this.#gateway.createSession({ key, label, ...spawn });
        const labelNote =
          label === display
            ? undefined
            : `The label "${display}" is taken by another OpenClaw session, so this thread is labelled "${label}".`;
        return { sessionKey: created.key, label, labelNote };
      } catch (error) {
        if (!isLabelClash(error)) throw error;
      }
    }
    const created = await this.#gateway.createSession({ key, ...spawn });
    return {
      sessionKey: created.key,
      label: undefined,
      labelNote: `Every label for "${display}" is taken in OpenClaw, so this thread has none.`,
    };
  }

  /** Adopts the existing session; unarchives it if OpenClaw's maintenance archived it. */
  async #reattach(thread: Thread): Promise<Omit<AttachResult, "conversation" | "created">> {
    if (!this.#gateway.connected) return { thread, offline: true };
    const created = await this.#gateway.createSession({ key: thread.sessionKey });
    const rows = await this.#gateway.listSessions({ search: slugOfKey(created.key), archived: "all" });
    const row = rows.find((r) => r.key === created.key);
    if (row?.archived) {
      this.#logger.info("unarchiving thread session", { slug: thread.slug });
      await this.#gateway.patchSession({
        key: created.key,
        archived: false,
        expectedSessionId: row.sessionId ?? created.sessionId,
      });
    }
    return { thread: { ...thread, sessionKey: created.key } };
  }

  /** The per-agent root session that confirm-policy threads are children of. */
  async #ensureRoot(): Promise<string> {
    const key = encodeRootSessionKey(this.#agentId);
    if (!this.#rootReady) {
      await this.#gateway
        .createSession({ key, label: `threadkeeper root (${this.#agentId})` })
        .catch(async (error: unknown) => {
          if (!isLabelClash(error)) throw error;
          await this.#gateway.createSession({ key });
        });
      this.#rootReady = true;
    }
    return key;
  }

  async #bindTarget(place: Place, thread: Thread): Promise<string> {
    if (!place.openNativeThread) return place.conversation;
    const nativeKey = nativeThreadKey.encode(place.conversation, thread.slug);
    const existing = this.#store.state.nativeThreads[nativeKey]?.conversation;
    const conversation = await place.openNativeThread({ name: thread.name, slug: thread.slug, existing });
    if (conversation !== existing) {
      await this.#store.update({ nativeThreads: { [nativeKey]: { conversation, createdAt: this.#clock.now() } } });
    }
    return conversation;
  }
}

function isLabelClash(error: unknown): boolean {
  return isBotError(error, ErrorCode.GatewayError) && /label already in use/i.test(error.message);
}

function slugOfKey(key: string): string {
  return key.split(":").at(-1) ?? key;
}

/** Throws GATEWAY_AWAY with a clear line when the gateway is not connected. */
export function requireGateway(gateway: GatewayPort): void {
  if (!gateway.connected) {
    throw new BotError(
      ErrorCode.GatewayAway,
      "The OpenClaw gateway is not reachable right now; try again in a moment.",
    );
  }
}
