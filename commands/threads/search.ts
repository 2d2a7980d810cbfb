import { z } from "zod";
import { defineCommand } from "../../src/core/commands/command.ts";
import type { Services } from "../../src/core/commands/services.ts";
import type { Thread } from "../../src/core/model.ts";
import { texts } from "../../src/core/texts.ts";
import { ago } from "../../src/core/threads/status.ts";

/** At most this many matches are listed (one line each, plus its recap). */
const SHOWN = 20;

const SearchArgs = z.object({
  words: z
    .string()
    .max(200, "Search at most 200 characters.")
    .meta({ description: "Words that must all appear in the name, label or recap" })
    .optional(),
});

/**
 * /threads search <words>: threads whose name, slug, label or recap contain every word
 * (case-insensitive), and the thread the whole text names (by an old name too, where a rename left an
 * alias that the registry's byName follows). Admins search every thread; a chat's or server's administrator those bound there. Recaps are
 * OpenClaw's, as far as known now; the search asks for the missing ones in the background.
 */
export const searchThreads = defineCommand<z.infer<typeof SearchArgs>, Services>({
  name: "search",
  description: "Find threads by words in their name, label or recap (admins)",
  access: "admin",
  args: SearchArgs,
  async run({ args, reach, services }) {
    const words = (args.words ?? "").toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return { text: texts.searchUsage, ephemeral: true };
    const space = reach.kind === "space" ? reach.space : undefined;
    const all = await services.threads.matching("");
    const boundIn = services.threads.bindingsBySlug(space);
    const visible = all.filter((t) => space === undefined || boundIn.has(t.slug));
    services.recaps.request(visible);
    const shown = words.join(" ");
    // The whole text may be a name the thread had before a rename: byName follows those aliases.
    const named = await services.threads.byName(shown);
    const found = visible.filter(
      (t) => t.slug === named?.slug || words.every((word) => haystack(services, t).includes(word)),
    );
    if (found.length === 0) return { text: texts.searchNone(shown), ephemeral: true };
    const now = services.clock.now();
    const lines = found.slice(0, SHOWN).flatMap((t) => {
      const recap = services.recaps.line(t, 160);
      const row = `• ${t.name} (${t.slug}) — ${services.threads.status(t)}, ${ago(now, t.lastActivityAt)}`;
      return recap ? [row, `   ${texts.recapLine(recap)}`] : [row];
    });
    return {
      text: [texts.searchHeader(shown, Math.min(SHOWN, found.length), found.length), ...lines].join("\n"),
      ephemeral: true,
    };
  },
});

/** What a search looks in: the thread's names and OpenClaw's recap, as known now. */
function haystack(services: Services, thread: Thread): string {
  return [thread.name, thread.slug, thread.label ?? "", services.recaps.text(thread) ?? ""].join("\n").toLowerCase();
}
