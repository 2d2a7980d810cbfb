import { z } from "zod";
import { defineCommand, type Reply } from "../src/core/commands/command.ts";
import type { Services } from "../src/core/commands/services.ts";
import type { Thread } from "../src/core/model.ts";
import { texts } from "../src/core/texts.ts";
import { type Costs, dollars } from "../src/core/threads/model-usage.ts";
import { ago } from "../src/core/threads/status.ts";
import { pageButton } from "../src/core/turns/notices.ts";
import { recapLines } from "./threads/recap-line.ts";
import { searchThreads } from "./threads/search.ts";

const PAGE_SIZE = 10;
/** `sort:cost` (or `--cost`) among the filter words lists the costliest threads first. */
const BY_COST = /(^|\s)(?:sort:cost|--cost)(?=\s|$)/gi;

const ThreadsArgs = z.object({
  filter: z
    .string()
    .max(100, "Filters are at most 100 characters.")
    .meta({ description: "Only threads whose name contains this; sort:cost lists the costliest first" })
    .optional(),
  page: z
    .string()
    .regex(/^\d{1,6}$/, "Pages are numbers.")
    .transform(Number)
    .meta({ hidden: true })
    .optional(),
});
type ThreadsArgs = z.infer<typeof ThreadsArgs>;

/** /threads [filter]: list threads — every thread for admins, those bound in this chat/server for its admins. */
export const threads = defineCommand<ThreadsArgs, Services>({
  name: "threads",
  description: "List threads with status, last activity and where they are bound (admins)",
  access: "admin",
  args: ThreadsArgs,
  asSubcommand: { name: "list", description: "List threads, optionally only those whose name contains a filter" },
  subcommands: [searchThreads],
  async run({ args, reach, services }) {
    const space = reach.kind === "space" ? reach.space : undefined;
    const raw = (args.filter ?? "").trim();
    const byCost = raw.match(BY_COST) !== null;
    const filter = raw.replace(BY_COST, " ").trim().toLowerCase();
    const matching = await services.threads.matching(filter);
    const boundIn = services.threads.bindingsBySlug(space);
    let visible = matching.filter((t) => space === undefined || boundIn.has(t.slug));
    // One sessions.usage call for every thread's cost, never one call per thread.
    const costs = byCost && visible.length > 0 ? await services.modelUsage.costs(matching.length) : undefined;
    if (costs) visible = byCostDescending(visible, costs);
    const note =
      !byCost || visible.length === 0
        ? undefined
        : !costs
          ? texts.costsUnavailable
          : costs.complete
            ? undefined
            : texts.costsCounting;
    const archived = visible.length > 0 ? await services.identity.archivedSlugs() : undefined;
    const active = visible.filter((t) => !archived?.has(t.slug));
    const shelved = visible.filter((t) => archived?.has(t.slug));
    const reply =
      active.length === 0 && shelved.length > 0
        ? { text: texts.noActiveThreads, ephemeral: true }
        : render(services, active, boundIn, args.page ?? 0, { filter, costs, byCost });
    return withArchived(services, note ? { ...reply, text: `${reply.text}\n${note}` } : reply, shelved);
  },
});

function byCostDescending(list: Thread[], costs: Costs): Thread[] {
  const cost = (t: Thread) => costs.bySessionKey.get(t.sessionKey) ?? -1;
  return [...list].sort((a, b) => cost(b) - cost(a));
}

/** OpenClaw's archived threads, in a section of their own under the page (at most a page of them). */
function withArchived(services: Services, reply: Reply, archived: Thread[]): Reply {
  if (archived.length === 0) return reply;
  const now = services.clock.now();
  const rows = archived.slice(0, PAGE_SIZE).map((t) => `• ${t.name} (${t.slug}) — ${ago(now, t.lastActivityAt)}`);
  const more = archived.length > PAGE_SIZE ? [`… and ${archived.length - PAGE_SIZE} more`] : [];
  return { ...reply, text: [reply.text, "", texts.archivedHeader(archived.length), ...rows, ...more].join("\n") };
}

function render(
  services: Services,
  list: Thread[],
  boundIn: Map<string, string[]>,
  page: number,
  order: { filter: string; costs: Costs | undefined; byCost: boolean },
): Reply {
  const { filter, costs } = order;
  if (list.length === 0) return { text: filter ? `No threads match "${filter}".` : "No threads yet.", ephemeral: true };
  const pages = Math.ceil(list.length / PAGE_SIZE);
  const current = Math.min(page, pages - 1);
  const now = services.clock.now();
  const rows = list.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE).map((t) => {
    const where = boundIn.get(t.slug) ?? services.threads.conversationsOf(t.slug);
    const bound = where.length === 0 ? "not bound" : where.join(", ");
    const cost = costs ? `, ${costOf(costs, t)}` : "";
    const row = `• ${t.name} (${t.slug}) — ${services.threads.status(t)}, ${ago(now, t.lastActivityAt)}, ${t.messageCount} msg${cost}, ${bound}`;
    return [row, ...recapLines(services, t, "   ")].join("\n");
  });
  services.recaps.request(list.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE));
  const buttons = [];
  // The buttons carry the order the way a person types it, so page 2 of the costliest is page 2 of the costliest.
  const carried = order.byCost ? `sort:cost ${filter}`.trim() : filter;
  if (current > 0) buttons.push(pageButton("◀ Previous", current - 1, carried));
  if (current < pages - 1) buttons.push(pageButton("Next ▶", current + 1, carried));
  const header = `Threads ${current * PAGE_SIZE + 1}–${current * PAGE_SIZE + rows.length} of ${list.length} (page ${current + 1}/${pages}):`;
  return { text: [header, ...rows].join("\n"), buttons, ephemeral: true };
}

function costOf(costs: Costs, t: Thread): string {
  const usd = costs.bySessionKey.get(t.sessionKey);
  return usd === undefined ? "no cost yet" : dollars(usd);
}
