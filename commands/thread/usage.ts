import { z } from "zod";
import { threadNameArg } from "../../src/core/commands/args.ts";
import { defineCommand, type Reach } from "../../src/core/commands/command.ts";
import type { Services } from "../../src/core/commands/services.ts";
import { BotError, ErrorCode } from "../../src/core/errors.ts";
import type { Thread } from "../../src/core/model.ts";
import { texts } from "../../src/core/texts.ts";
import { usageText } from "../../src/core/threads/model-usage.ts";

const UsageArgs = z.object({ name: threadNameArg("Thread name (default: the thread bound here)") });

/** /thread usage [name]: tokens and cost of the thread (and of its last turn), as OpenClaw counts them. */
export const threadUsage = defineCommand<z.infer<typeof UsageArgs>, Services>({
  name: "usage",
  description: "Tokens and cost of the thread here (and of its last turn)",
  access: "allowed",
  args: UsageArgs,
  async run({ args, place, reach, services }) {
    const thread = await which(services, place.conversation, reach, args.name ?? "");
    const { total, lastTurn, counting } = await services.modelUsage.usage(thread);
    if (counting) return { text: texts.usageCounting };
    if (!total || total.totalTokens === 0) return { text: texts.usageNone(thread.name) };
    const lines = [texts.usageTotal(thread.name, usageText(total))];
    if (lastTurn) lines.push(texts.usageLastTurn(usageText(lastTurn)));
    return { text: lines.join("\n") };
  },
});

/** The thread bound here, or the named one: any thread for admins, else only the one bound here. */
async function which(services: Services, conversation: string, reach: Reach, name: string): Promise<Thread> {
  const here = services.threads.boundThread(conversation);
  if (name === "") {
    if (!here) throw new BotError(ErrorCode.NotFound, texts.noThreadHere);
    return here;
  }
  const named = await services.threads.byName(name);
  if (named && named.slug === here?.slug) return named;
  if (reach.kind !== "all") throw new BotError(ErrorCode.Forbidden, texts.usageOfOthers);
  if (!named) throw new BotError(ErrorCode.NotFound, texts.unknownThread(name));
  return named;
}
