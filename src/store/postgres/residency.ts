import { nativeThreadKey } from "../../core/keys/conversation-key.ts";
import type { StoreState } from "../../core/model.ts";
import type { StoreWant } from "../../core/ports.ts";

/**
 * Which records the Postgres store reads on demand, and which of them memory holds now.
 *
 * A deployment may keep a million threads; a process holds only what it works on. The records of a
 * thread (the thread, its checkpoint, the bindings, native threads and aliases that name it) are LAZY:
 * they are read by index when an entry point asks (`StorePort.load`) and always all together, so a scan
 * of memory by slug (forget, conversationsOf) sees every one of them once the slug is resident. Every
 * other kind (journal, notices, outbox, approvals, confirmations, webhook updates) is bounded by work in
 * flight, not by thread count, and is read whole at start.
 *
 * Why memory stays right without asking Postgres again: only the process holding the lease writes
 * (pg-store.ts's fence), so once a slug, conversation or name is resident (present or known absent),
 * memory is newer than or equal to Postgres for it.
 */
export const LAZY_KINDS = ["threads", "checkpoints", "bindings", "nativeThreads", "aliases"] as const;
type LazyKind = (typeof LAZY_KINDS)[number];

const LAZY: ReadonlySet<string> = new Set(LAZY_KINDS);

/** Threads kept in memory besides those work in flight pins; the least recently used others leave. */
export const RESIDENT_THREADS = 10_000;

/**
 * A thread used this recently never leaves memory, whatever the count: an entry point loads what it
 * reads, then may await the gateway or Postgres and read it again, and must find it still there.
 */
export const KEEP_USED_MS = 5 * 60_000;

export function isLazy(kind: string): kind is LazyKind {
  return LAZY.has(kind);
}

/** The slug a lazy record belongs to (the indexed `slug` column), or null for any other record. */
export function slugOfRecord(kind: string, key: string, value: unknown): string | null {
  if (kind === "threads" || kind === "checkpoints") return key;
  if (kind === "nativeThreads") return nativeThreadKey.decode(key)?.slug ?? null;
  if (kind === "bindings" || kind === "aliases") {
    const slug = (value as { slug?: unknown } | undefined)?.slug;
    return typeof slug === "string" ? slug : null;
  }
  return null;
}

/**
 * Slugs the work in flight points at (turns, open notices, approvals, confirmations): their threads
 * never leave memory, so recovery and gateway events read them synchronously at any time.
 */
export function pinnedSlugs(state: Readonly<StoreState>): Set<string> {
  const pinned = new Set<string>();
  for (const record of [state.journal, state.approvals, state.confirmations]) {
    for (const entry of Object.values(record)) pinned.add(entry.slug);
  }
  for (const notice of Object.values(state.notices)) if (notice.state === "open") pinned.add(notice.slug);
  return pinned;
}

/** What of a `StoreWant` memory cannot answer yet. */
export interface Missing {
  conversations: string[];
  names: string[];
  sessionKeys: string[];
}

/** The resident sets: slugs (LRU order), conversations and names known present or absent. */
export class Residency {
  /** Slug → when last used; Map order is use order (oldest first). */
  readonly #slugs = new Map<string, number>();
  readonly #conversations = new Set<string>();
  readonly #names = new Set<string>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  get size(): number {
    return this.#slugs.size;
  }

  has(slug: string): boolean {
    return this.#slugs.has(slug);
  }

  /** What must be read from Postgres; marks what is resident as just used. */
  missing(want: StoreWant, state: Readonly<StoreState>): Missing {
    const conversations = (want.conversations ?? []).filter((c) => {
      if (!this.#conversations.has(c)) return true;
      const slug = state.bindings[c]?.slug;
      if (slug !== undefined) this.touch(slug);
      return false;
    });
    const names = (want.names ?? []).filter((n) => {
      if (!this.#names.has(n)) return true;
      this.touch(n);
      return false;
    });
    // Session keys are rare (approvals, archived listings): memory answers only when it holds the thread.
    const asked = want.sessionKeys ?? [];
    const resident = asked.length > 0 ? new Set(Object.values(state.threads).map((t) => t.sessionKey)) : undefined;
    const sessionKeys = asked.filter((k) => !resident?.has(k));
    return { conversations, names, sessionKeys };
  }

  /** Records that a read answered `missing`, and that `slugs` are now wholly in memory. */
  answered(missing: Missing, slugs: Iterable<string>): void {
    for (const c of missing.conversations) this.#conversations.add(c);
    for (const n of missing.names) {
      this.#names.add(n);
      this.touch(n);
    }
    for (const slug of slugs) this.touch(slug);
  }

  touch(slug: string): void {
    this.#slugs.delete(slug);
    this.#slugs.set(slug, this.#now());
  }

  /**
   * Drops from `state` the least recently used threads nothing pins beyond `keep` of them (none used in
   * the last `keepUsedMs`), with all their lazy records; the caller pins those with a write pending.
   * Conversations and names are forgotten too (read again when next asked), except bindings kept.
   */
  evict(state: StoreState, keep: number, pinned: ReadonlySet<string>, keepUsedMs = KEEP_USED_MS): number {
    let unpinned = 0;
    for (const slug of this.#slugs.keys()) if (!pinned.has(slug)) unpinned++;
    if (unpinned <= keep) return 0;
    // Down to 90 %: one pass over the lazy records then serves many loads, not one.
    const excess = unpinned - Math.floor(keep * 0.9);
    const gone = new Set<string>();
    const usedSince = this.#now() - keepUsedMs;
    for (const [slug, used] of this.#slugs) {
      if (gone.size >= excess || used > usedSince) break;
      if (!pinned.has(slug)) gone.add(slug);
    }
    if (gone.size === 0) return 0;
    for (const slug of gone) this.#slugs.delete(slug);
    for (const kind of LAZY_KINDS) {
      const record = state[kind] as Record<string, unknown>;
      for (const [key, value] of Object.entries(record)) {
        const slug = slugOfRecord(kind, key, value);
        if (slug !== null && gone.has(slug)) delete record[key];
      }
    }
    this.#conversations.clear();
    for (const conversation of Object.keys(state.bindings)) this.#conversations.add(conversation);
    this.#names.clear();
    return gone.size;
  }
}
