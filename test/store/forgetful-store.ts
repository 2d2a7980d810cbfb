import { emptyState, type StoreState } from "../../src/core/model.ts";
import type { MergePatch, StorePort, StoreWant, ThreadQuery } from "../../src/core/ports.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { LAZY_KINDS, pinnedSlugs, Residency, slugOfRecord } from "../../src/store/postgres/residency.ts";
import { findResidentThreads } from "../../src/store/resident.ts";
import { applyValidatedPatch } from "../../src/store/validate.ts";

/** Long enough for one entry point's loads and reads with the fake gateway; short beside a test's pauses. */
const KEEP_USED_MS = 20;

/**
 * The Postgres store's memory rules over an in-memory table, for fast tests of the core: threads are
 * read on demand with the real Residency. Every thread nothing pins is forgotten before each entry point
 * the harness drives (`forget`), and before each load those not used in the last 20 ms (the Postgres
 * store keeps 10,000, and all used in five minutes). A core read that skipped StorePort.load finds
 * nothing here, so the core's tests run on it too (`TK_TEST_STORE=forgetful`, bot-harness.ts).
 *
 * `table` is what Postgres would hold: a new ForgetfulStore over the same table is a bot restart.
 */
export class ForgetfulStore implements StorePort {
  readonly table: MemoryStore;
  readonly #state: StoreState = emptyState();
  readonly #residency = new Residency();
  #closed = false;

  constructor(table = new MemoryStore()) {
    this.table = table;
    const whole = table.state as unknown as Record<string, unknown>;
    const lazy = new Set<string>(LAZY_KINDS);
    const hot = Object.fromEntries(Object.entries(whole).filter(([field]) => !lazy.has(field)));
    applyValidatedPatch(this.#state, structuredClone(hot));
    const pinned = pinnedSlugs(this.#state);
    this.#admit(pinned, { conversations: [], names: [...pinned], sessionKeys: [] });
  }

  get state(): Readonly<StoreState> {
    return this.#state;
  }

  /** Memory first (refused patches change nothing), then the table, as one write. */
  async update(patch: MergePatch<StoreState>): Promise<void> {
    if (this.#closed) throw new Error("The forgetful store is closed.");
    const copy = JSON.parse(JSON.stringify(patch)) as MergePatch<StoreState>;
    applyValidatedPatch(this.#state, structuredClone(copy));
    await this.table.update(copy);
  }

  /** Forgets every thread nothing pins, however recently used: the harness calls it before each entry point. */
  forget(): void {
    this.#residency.evict(this.#state, 0, pinnedSlugs(this.#state), -1);
  }

  async load(want: StoreWant): Promise<void> {
    this.#residency.evict(this.#state, 0, pinnedSlugs(this.#state), KEEP_USED_MS);
    const missing = this.#residency.missing(want, this.#state);
    const table = this.table.state;
    const slugs = new Set<string>(missing.names);
    for (const c of missing.conversations) {
      const bound = table.bindings[c]?.slug;
      if (bound !== undefined) slugs.add(bound);
      for (const [key, native] of Object.entries(table.nativeThreads)) {
        const slug = slugOfRecord("nativeThreads", key, native);
        if (native.conversation === c && slug !== null) slugs.add(slug);
      }
    }
    for (const name of missing.names) {
      const alias = table.aliases[name]?.slug;
      if (alias !== undefined) slugs.add(alias);
    }
    const keys = new Set(missing.sessionKeys);
    for (const thread of Object.values(table.threads)) if (keys.has(thread.sessionKey)) slugs.add(thread.slug);
    // A real read answers later: the caller must not count on memory in between.
    await Promise.resolve();
    this.#admit(slugs, missing);
  }

  async findThreads(query: ThreadQuery): Promise<string[]> {
    const slugs = findResidentThreads(this.table.state, query);
    await this.load({ names: slugs });
    return slugs;
  }

  async flush(): Promise<void> {}

  /** Refuses further updates; the table stays for the next "process". */
  async close(): Promise<void> {
    this.#closed = true;
  }

  /** Copies every lazy record of `slugs` that memory lacks from the table. */
  #admit(slugs: ReadonlySet<string>, missing: Parameters<Residency["answered"]>[0]): void {
    const patch: Record<string, Record<string, unknown>> = {};
    const memory = this.#state as unknown as Record<string, Record<string, unknown>>;
    const table = this.table.state as unknown as Record<string, Record<string, unknown>>;
    for (const kind of LAZY_KINDS) {
      for (const [key, value] of Object.entries(table[kind] ?? {})) {
        const slug = slugOfRecord(kind, key, value);
        if (slug === null || !slugs.has(slug) || memory[kind]?.[key] !== undefined) continue;
        patch[kind] ??= {};
        (patch[kind] as Record<string, unknown>)[key] = structuredClone(value);
      }
    }
    applyValidatedPatch(this.#state, patch);
    this.#residency.answered(missing, slugs);
  }
}
