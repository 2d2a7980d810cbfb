import type { Place } from "../commands/command.ts";
import { spaceOf } from "../keys/conversation-key.ts";
import type { ThreadRegistry } from "./registry.ts";

/** Discord offers at most 25 choices; a thread name is at most 100 characters. */
const MAX_CHOICES = 25;
const MAX_QUERY = 100;
/** Threads looked at per keystroke: the most recently active that match (a few pages of choices). */
const CONSIDERED = 200;

/**
 * Thread names to offer as someone types (Discord autocomplete), most recently active first: every
 * thread for an admin; for anyone else only the threads they created or that are bound in this
 * chat or server, so names from other people's spaces never leak through a suggestion.
 */
export async function threadChoices(
  threads: ThreadRegistry,
  request: { query: string; senderId: string; admin: boolean; place: Place },
): Promise<string[]> {
  const query = request.query.slice(0, MAX_QUERY).trim().toLowerCase();
  const matching = await threads.matching(query, CONSIDERED);
  const boundHere = request.admin ? undefined : threads.bindingsBySlug(spaceOf(request.place.conversation));
  const visible = matching.filter(
    (t) => boundHere === undefined || t.createdBy === request.senderId || boundHere.has(t.slug),
  );
  // Names that start with what was typed come first (a stable sort keeps recent-first within each).
  const starts = (name: string) => (name.toLowerCase().startsWith(query) ? 0 : 1);
  return visible
    .map((t) => t.name)
    .sort((a, b) => starts(a) - starts(b))
    .slice(0, MAX_CHOICES);
}
