import { z } from "zod";
import { defineCommand } from "../../src/core/commands/command.ts";
import type { Services } from "../../src/core/commands/services.ts";
import { BotError, ErrorCode } from "../../src/core/errors.ts";
import { texts } from "../../src/core/texts.ts";

const MAX_MODEL_LENGTH = 200;

const ModelArgs = z.object({
  name: z
    .string()
    .trim()
    .max(MAX_MODEL_LENGTH, `Model names are at most ${MAX_MODEL_LENGTH} characters.`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
    .regex(/^[^\u0000-\u001f\u007f]*$/, "Model names have no control characters.")
    .meta({ description: "Model: provider/id or its name; empty shows the choices", autocomplete: "models" })
    .optional(),
});

/** /thread model [name]: show the thread's model and the gateway's catalog, or set one from it. */
export const threadModel = defineCommand<z.infer<typeof ModelArgs>, Services>({
  name: "model",
  description: "Show or set the model of the thread here (from the gateway's catalog)",
  access: "allowed",
  args: ModelArgs,
  async run({ args, place, sender, services }) {
    const thread = services.threads.boundThread(place.conversation);
    if (!thread) throw new BotError(ErrorCode.NotFound, texts.noThreadHere);
    const name = args.name ?? "";
    if (name === "") return services.modelUsage.show(thread, sender.id);
    return { text: await services.modelUsage.set(thread, name) };
  },
});
