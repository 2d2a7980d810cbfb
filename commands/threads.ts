import { z } from "zod";
import { defineCommand, type Reply } from "../src/core/commands/command.ts";
import type { Services } from "../src/core/commands/services.ts";
import type { Thread } from "../src/core/model.ts";
import { texts } from "../src/core/texts.ts";
import { ago } from "../src/core/threads/status.ts";
import { pageButton } from "../src/core/turns/notices.ts";

const PAGE_SIZE = 10;

const ThreadsArgs = z.object({
  filter: z
    .string()
    .max(100, "Filters are at most 100 characters.")
    .meta({ description: "Only threads whose name contains this" })
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
  async run({ args, reach, services }) {
    const space = reach.kind === "space" ? reach.space : undefined;
    const filter = (args.filter ?? "").trim().toLowerCase();
    const boundIn = services.threads.bindingsBySlug(space);
    const visible = services.threads.matching(filter).filter((t) => space === undefined || boundIn.has(t.slug));
    const archived = visible.length > 0 ? await services.identity.archivedSlugs() : undefined;
    const active = visible.filter((t) => !archived?.has(t.slug));
    const shelved = visible.filter((t) => archived?.has(t.slug));
    const reply =
      active.length === 0 && shelved.length > 0
        ? { text: texts.noActiveThreads, ephemeral: true }
        : render(services, active, boundIn, args.page ?? 0, filter);
    return withArchived(services, reply, shelved);
  },
});

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
  filter: string,
): Reply {
  if (list.length === 0) return { text: filter ? `No threads match "${filter}".` : "No threads yet.", ephemeral: true };
  const pages = Math.ceil(list.length / PAGE_SIZE);
  const current = Math.min(page, pages - 1);
  const now = services.clock.now();
  const rows = list.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE).map((t) => {
    const where = boundIn.get(t.slug) ?? services.threads.conversationsOf(t.slug);
    const bound = where.length === 0 ? "not bound" : where.join(", ");
    return `• ${t.name} (${t.slug}) — ${services.threads.status(t)}, ${ago(now, t.lastActivityAt)}, ${t.messageCount} msg, ${bound}`;
  });
  const buttons = [];
  if (current > 0) buttons.push(pageButton("◀ Previous", current - 1, filter));
  if (current < pages - 1) buttons.push(pageButton("Next ▶", current + 1, filter));
  const header = `Threads ${current * PAGE_SIZE + 1}–${current * PAGE_SIZE + rows.length} of ${list.length} (page ${current + 1}/${pages}):`;
  return { text: [header, ...rows].join("\n"), buttons, ephemeral: true };
}
