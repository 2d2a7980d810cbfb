import type { Place, Sender } from "../commands/command.ts";
import { BotError, ErrorCode, GatewayReason, gatewayReason } from "../errors.ts";
import { inSpace, nativeThreadKey } from "../keys/conversation-key.ts";
import { encodeRootSessionKey, encodeSessionKey } from "../keys/session-key.ts";
import { parseThreadName, slugify, type ThreadName } from "../keys/thread-slug.ts";
import {
  type Binding,
  type Checkpoint,
  type ResumePolicy,
  type Thread,
  type ThreadPolicy,
  threadPolicy,
} from "../model.ts";
import type { Clock, GatewayPort, Logger, StorePort } from "../ports.ts";
import { texts } from "../texts.ts";
import { createLabelled, isLabelClash } from "./labelled-session.ts";

/**
 * How many threads a listing or a suggestion considers, most recently active first: /threads pages
 * through them, ten a page. A deployment with more finds older ones by a filter word.
 */
export const LISTED_THREADS = 2_000;

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

/** What the registry reads of the turns in flight, for a thread's status. */
export interface TurnActivity {
  /** True while a turn of the thread is followed. */
  isActive(slug: string): boolean;
  /** The thread's messages waiting to be sent. */
  queued(slug: string): readonly unknown[];
}

/** Creates, re-attaches, binds and lists named threads; the one place commands read threads from. */
export class ThreadRegistry {
  readonly #store: StorePort;
  readonly #gateway: GatewayPort;
  readonly #agentId: string;
  readonly #policy: ResumePolicy;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #turns: TurnActivity;
  readonly #reserved: ReadonlySet<string>;
  #rootReady = false;

  constructor(options: {
    store: StorePort;
    gateway: GatewayPort;
    agentId: string;
    policy: ResumePolicy;
    clock: Clock;
    logger: Logger;
    turns: TurnActivity;
    /** Words a new thread may not be called because they pick a /thread subcommand (`export`). */
    reservedNames?: readonly string[] | undefined;
  }) {
    this.#store = options.store;
    this.#gateway = options.gateway;
    this.#agentId = options.agentId;
    this.#policy = options.policy;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#turns = options.turns;
    this.#reserved = new Set((options.reservedNames ?? []).map(slugify));
  }

  /**
   * What a NEW thread may be called: parseThreadName's rules, and no word that picks a /thread
   * subcommand (`/thread export` could never reach it). A stored thread that already has such a
   * name stays reachable: attach re-attaches it, /resume and /threads find it.
   */
  parseNewName(input: string): ThreadName {
    const name = parseThreadName(input);
    if (this.#reserved.has(name.slug)) throw new BotError(ErrorCode.BadInput, texts.reservedName(name.slug));
    return name;
  }

  /** The thread with this slug, if any. */
  get(slug: string): Thread | undefined {
    return this.#store.state.threads[slug];
  }

  /** The thread a name refers to (by its slug, or an earlier name's after a rename), if any. */
  async byName(name: string): Promise<Thread | undefined> {
    const slug = slugify(name.trim());
    await this.#store.load({ names: [slug] });
    return this.#resolve(slug);
  }

  /** The thread of a slug: its own, or the one a rename left it pointing to (the alias table). */
  #resolve(slug: string): Thread | undefined {
    const alias = this.#store.state.aliases[slug];
    return this.get(slug) ?? (alias ? this.get(alias.slug) : undefined);
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

  /**
   * Threads whose slug or name contains `query` (case-insensitive), most recently active first (the
   * store's order): at most `limit` of them, found by the store (by index on Postgres) and loaded.
   */
  async matching(query: string, limit = LISTED_THREADS): Promise<Thread[]> {
    const contains = query.trim().toLowerCase();
    const slugs = await this.#store.findThreads({ contains, limit });
    return slugs.flatMap((slug) => this.get(slug) ?? []);
  }

  /**
   * Where each thread is bound, by slug; only conversations inside `space` when one is given. Complete
   * for the threads in memory: those an entry point loaded, or `matching` found.
   */
  bindingsBySlug(space?: string): Map<string, string[]> {
    const bySlug = new Map<string, string[]>();
    for (const [conversation, binding] of Object.entries(this.#store.state.bindings)) {
      if (space !== undefined && !inSpace(conversation, space)) continue;
      bySlug.set(binding.slug, [...(bySlug.get(binding.slug) ?? []), conversation]);
    }
    return bySlug;
  }

  /** The thread's checkpoint (its current or last turn), if any. */
  checkpoint(slug: string): Checkpoint | undefined {
    return this.#store.state.checkpoints[slug];
  }

  /** The status words of a thread: idle, running, interrupted, awaiting resume, recovering, queued (n). */
  status(thread: Thread): string {
    const queued = this.#turns.queued(thread.slug).length;
    const base = this.#turns.isActive(thread.slug) ? "running" : thread.state.replace("-", " ");
    return queued > 0 ? `${base}, queued (${queued})` : base;
  }

  /** Whether a crash-cut turn of the thread waits for the person. */
  policy(thread: Thread): ThreadPolicy {
    return threadPolicy(thread, this.#policy);
  }

  /** Conversations bound to a thread. */
  conversationsOf(slug: string): string[] {
    return Object.entries(this.#store.state.bindings)
      .filter(([, binding]) => binding.slug === slug)
      .map(([conversation]) => conversation);
  }

  /** /thread <name>: create the thread if new, else re-attach it; bind it where the person asked. */
  async attach(request: { name: string; place: Place; sender: Sender }): Promise<AttachResult> {
    const parsed = parseThreadName(request.name);
    await this.#store.load({ names: [parsed.slug] });
    const known = this.#resolve(parsed.slug);
    if (!known) this.parseNewName(request.name);
    const slug = known?.slug ?? parsed.slug;
    const ensured = known ? await this.#reattach(known) : await this.#create(parsed.display, slug, request.sender.id);
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
    const parentSessionKey = this.#policy === "confirm-child" ? await this.#ensureRoot() : undefined;
    const { sessionKey, label, labelNote } = await createLabelled(this.#gateway, {
      key,
      display,
      slug,
      parentSessionKey,
    }).catch(async (error: unknown) => {
      // An operator deleted the root while the bot ran (test/e2e/confirm-costs, 4b): make it again, once.
      if (gatewayReason(error) !== GatewayReason.UnknownParent) throw error;
      this.#rootReady = false;
      return createLabelled(this.#gateway, { key, display, slug, parentSessionKey: await this.#ensureRoot() });
    });
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

  /** The per-agent root session that confirm-child threads are children of. */
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

function slugOfKey(key: string): string {
  return key.split(":").at(-1) ?? key;
}

/** Throws GATEWAY_AWAY with a clear line when the gateway is not connected. */
export function requireGateway(gateway: GatewayPort): void {
  if (!gateway.connected) {
    throw new BotError(ErrorCode.GatewayAway, texts.gatewayUnreachable);
  }
}
