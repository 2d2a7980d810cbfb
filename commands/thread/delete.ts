import { z } from "zod";
import { defineCommand } from "../../src/core/commands/command.ts";
import type { Services } from "../../src/core/commands/services.ts";
import { texts } from "../../src/core/texts.ts";

const DeleteArgs = z.object({
  yes: z
    .string()
    .trim()
    .toLowerCase()
    .refine((answer) => answer === "yes", texts.answerIsYes("delete", texts.confirmDeleteButton))
    .meta({ description: "Type yes to answer the open question (where there are no buttons)" })
    .optional(),
});

/**
 * /thread delete (admins): the session and every binding go and the name is free again, after a
 * confirmation only the asker answers. Refused while a turn runs: stop or finish it first.
 */
export const del = defineCommand<z.infer<typeof DeleteArgs>, Services>({
  name: "delete",
  description: "Delete the thread bound here: its session, bindings and name (admins; asks first)",
  access: "admin",
  args: DeleteArgs,
  run: ({ args, place, sender, reach, services }) => {
    const request = { kind: "delete" as const, conversation: place.conversation, senderId: sender.id };
    if (args.yes) return services.confirmations.answerTyped(request);
    // A chat's or server's administrator may delete only a thread that lives in that chat or server alone.
    return services.confirmations.ask({ ...request, space: reach.kind === "space" ? reach.space : undefined });
  },
});
