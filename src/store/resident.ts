import type { StoreState } from "../core/model.ts";
import type { ThreadQuery } from "../core/ports.ts";

/**
 * findThreads for a store that holds every thread in memory (the JSON file, tests): the same answer the
 * Postgres store gives by index, so a listing reads the same on both.
 */
export function findResidentThreads(state: Readonly<StoreState>, query: ThreadQuery): string[] {
  const q = query.contains;
  return Object.values(state.threads)
    .filter((t) => q === "" || t.slug.includes(q) || t.name.toLowerCase().includes(q))
    .sort((a, b) => b.lastActivityAt - a.lastActivityAt || (a.slug < b.slug ? -1 : 1))
    .slice(0, query.limit)
    .map((t) => t.slug);
}
