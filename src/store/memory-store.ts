import { BotError, ErrorCode } from "../core/errors.ts";
import type { StoreState } from "../core/model.ts";
import { emptyState } from "../core/model.ts";
import type { MergePatch, StorePort, StoreWant, ThreadQuery } from "../core/ports.ts";
import { findResidentThreads } from "./resident.ts";
import { applyValidatedPatch } from "./validate.ts";

/**
 * An in-memory StorePort with the JSON store's rules (merge patches, per-entry zod
 * validation, refused patches change nothing), for fast tests of other modules.
 * @example const store = new MemoryStore({ threads: { budget: thread } });
 */
export class MemoryStore implements StorePort {
  readonly #state: StoreState = emptyState();
  #closed = false;
  /** Every accepted patch, in order, as stored (after a JSON round trip). */
  readonly patches: MergePatch<StoreState>[] = [];

  /** Starts from the empty state with `seed` merged in (not recorded in `patches`). */
  constructor(seed?: MergePatch<StoreState>) {
    if (seed !== undefined) applyValidatedPatch(this.#state, JSON.parse(JSON.stringify(seed)));
  }

  /** The current state. */
  get state(): Readonly<StoreState> {
    return this.#state;
  }

  /** Applies the patch at once; there is no disk to wait for. */
  async update(patch: MergePatch<StoreState>): Promise<void> {
    if (this.#closed) throw new BotError(ErrorCode.StoreCorrupt, "The in-memory store is closed.");
    const copy = JSON.parse(JSON.stringify(patch)) as MergePatch<StoreState>;
    applyValidatedPatch(this.#state, copy);
    this.patches.push(copy);
  }

  /** Everything is in memory already. */
  async load(_want: StoreWant): Promise<void> {}

  async findThreads(query: ThreadQuery): Promise<string[]> {
    return findResidentThreads(this.#state, query);
  }

  /** Nothing to flush. */
  async flush(): Promise<void> {}

  /** Refuses further updates. */
  async close(): Promise<void> {
    this.#closed = true;
  }
}
