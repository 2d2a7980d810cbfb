import type { Place } from "../commands/command.ts";
import { spaceOf } from "../keys/conversation-key.ts";
import type { ThreadRegistry } from "./registry.ts";

/** Discord offers at most 25 choices; a thread name is at most 100 characters. */
const MAX_CHOICES = 25;
const MAX_QUERY = 100;

/**
 * Thread names to offer as someone types (Discord autocomplete), most recently active first: every
 * thread for an admin; for anyone else only the threads they created or that are bound in this
 * chat or server, so names from other people's spaces never leak through a suggestion.
 */
export function threadChoices(
  threads: ThreadRegistry,
  request: { query: string; senderId: string; admin: boolean; place: Place },
): string[] {
  const matching = threads.matching(request.query.slice(0, MAX_QUERY));
  const boundHere = request.admin ? undefined : threads.bindingsBySlug(spaceOf(request.place.conversation));
  return matching
    .filter((t) => boundHere === undefined || t.createdBy === request.senderId || boundHere.has(t.slug))
    .slice(0, MAX_CHOICES)
    .map((t) => t.name);
}
