import { z } from "zod";
import { threadNameArg } from "../../src/core/commands/args.ts";
import { defineCommand } from "../../src/core/commands/command.ts";
import type { Services } from "../../src/core/commands/services.ts";
import { BotError, ErrorCode } from "../../src/core/errors.ts";
import type { Thread } from "../../src/core/model.ts";
import { texts } from "../../src/core/texts.ts";
import type { ExportFormat } from "../../src/core/threads/transcript-render.ts";

const FORMATS: Record<string, ExportFormat> = { md: "markdown", markdown: "markdown", json: "json" };

const ExportArgs = z.object({
  format: z
    .string()
    .trim()
    .toLowerCase()
    .refine((value) => value in FORMATS, texts.exportBadFormat)
    .transform((value) => FORMATS[value] ?? "markdown")
    .meta({ description: "md (Markdown, the default) or json (OpenClaw's rows as they are)" })
    .optional(),
  name: threadNameArg("Thread to export (admins); default: the thread bound here"),
});
type ExportArgs = z.infer<typeof ExportArgs>;

/**
 * /thread export [md|json] [name]: the thread's transcript as a file (split into numbered parts past
 * the chat's file limit); tool calls folded, secrets as OpenClaw masked them.
 */
export const exportThread = defineCommand<ExportArgs, Services>({
  name: "export",
  description: "Send this thread's transcript as a Markdown (or JSON) file",
  access: "allowed",
  args: ExportArgs,
  async run({ args, place, reach, services }) {
    const thread = await pick(services, place.conversation, args.name, reach.kind === "all");
    const result = await services.exports.export({
      thread,
      conversation: place.conversation,
      format: args.format ?? "markdown",
    });
    return { text: texts.exported(thread.name, result.rows, result.files), ephemeral: true };
  },
});

/** The thread bound here, or the one named (any thread for admins, else only the one bound here). */
async function pick(
  services: Services,
  conversation: string,
  name: string | undefined,
  admin: boolean,
): Promise<Thread> {
  const here = services.threads.boundThread(conversation);
  if (!name) {
    if (!here) throw new BotError(ErrorCode.NotFound, texts.noThreadHere);
    return here;
  }
  const named = await services.threads.byName(name);
  if (!named) throw new BotError(ErrorCode.NotFound, texts.unknownThread(name));
  if (!admin && named.slug !== here?.slug) throw new BotError(ErrorCode.Forbidden, texts.exportOnlyHere);
  return named;
}
