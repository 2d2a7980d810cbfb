import { z } from "zod";
import { type CommandContext, defineCommand, type Reply } from "../src/core/commands/command.ts";
import type { Services } from "../src/core/commands/services.ts";
import { BotError, ErrorCode } from "../src/core/errors.ts";
import { inSpace, spaceOf } from "../src/core/keys/conversation-key.ts";
import type { Thread } from "../src/core/model.ts";
import { ago, threadStatus } from "../src/core/threads/status.ts";
import { pageButton } from "../src/core/turns/notices.ts";

const PAGE_SIZE = 10;

const ThreadsArgs = z.object({
  filter: z.string().max(100, "Filters are at most 100 characters.").optional(),
  page: z
    .string()
    .regex(/^\d{1,6}$/, "Pages are numbers.")
    .transform(Number)
    .optional(),
});
type ThreadsArgs = z.infer<typeof ThreadsArgs>;

/** /threads [filter]: list threads — every thread for admins, those bound in this chat/server for its admins. */
export const threads = defineCommand<ThreadsArgs, Services>({
  name: "threads",
  description: "List threads with status, last activity and where they are bound (admins)",
  access: "admin",
  params: [{ name: "filter", description: "Only threads whose name contains this", required: false, maxLength: 100 }],
  args: ThreadsArgs,
  async run(context) {
    const space = await scope(context);
    const filter = (context.args.filter ?? "").trim().toLowerCase();
    const bindings = Object.entries(context.services.store.state.bindings);
    const boundIn = new Map<string, string[]>();
    for (const [conversation, binding] of bindings) {
      if (space !== undefined && !inSpace(conversation, space)) continue;
      boundIn.set(binding.slug, [...(boundIn.get(binding.slug) ?? []), conversation]);
    }
    const all = Object.values(context.services.store.state.threads);
    const visible = all
      .filter((t) => space === undefined || boundIn.has(t.slug))
      .filter((t) => filter === "" || t.slug.includes(filter) || t.name.toLowerCase().includes(filter))
      .sort((a, b) => b.lastActivityAt - a.lastActivityAt);
    return render(context.services, visible, boundIn, context.args.page ?? 0, filter);
  },
});

/** undefined = every thread (configured admin); else the space whose threads the sender may list. */
async function scope({ sender, place, services }: CommandContext<ThreadsArgs, Services>): Promise<string | undefined> {
  if (services.access.isAdmin(sender.id)) return undefined;
  if (place.senderIsSpaceAdmin && !place.direct && (await place.senderIsSpaceAdmin()))
    return spaceOf(place.conversation);
  throw new BotError(ErrorCode.Forbidden, "Only admins can list threads.");
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
    return `• ${t.name} (${t.slug}) — ${threadStatus(services, t)}, ${ago(now, t.lastActivityAt)}, ${t.messageCount} msg, ${bound}`;
  });
  const buttons = [];
  if (current > 0) buttons.push(pageButton("◀ Previous", current - 1, filter));
  if (current < pages - 1) buttons.push(pageButton("Next ▶", current + 1, filter));
  const header = `Threads ${current * PAGE_SIZE + 1}–${current * PAGE_SIZE + rows.length} of ${list.length} (page ${current + 1}/${pages}):`;
  return { text: [header, ...rows].join("\n"), buttons, ephemeral: true };
}
