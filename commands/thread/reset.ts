import { z } from "zod";
import { defineCommand } from "../../src/core/commands/command.ts";
import type { Services } from "../../src/core/commands/services.ts";
import { texts } from "../../src/core/texts.ts";

const ResetArgs = z.object({
  yes: z
    .string()
    .trim()
    .toLowerCase()
    .refine((answer) => answer === "yes", texts.answerIsYes("reset", texts.confirmResetButton))
    .meta({ description: "Type yes to answer the open question (where there are no buttons)" })
    .optional(),
});

/** /thread reset: clear the thread's history (same name and key), after a confirmation only the asker answers. */
export const reset = defineCommand<z.infer<typeof ResetArgs>, Services>({
  name: "reset",
  description: "Clear the history of the thread bound here (asks first; name and key stay)",
  access: "allowed",
  args: ResetArgs,
  run: ({ args, place, sender, services }) => {
    const request = { kind: "reset" as const, conversation: place.conversation, senderId: sender.id };
    return args.yes ? services.confirmations.answerTyped(request) : services.confirmations.ask(request);
  },
});
