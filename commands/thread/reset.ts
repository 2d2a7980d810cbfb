import { z } from "zod";
import { defineCommand } from "../../src/core/commands/command.ts";
import type { Services } from "../../src/core/commands/services.ts";

const ResetArgs = z.object({});

/** /thread reset: clear the thread's history (same name and key), after a confirmation only the asker answers. */
export const reset = defineCommand<z.infer<typeof ResetArgs>, Services>({
  name: "reset",
  description: "Clear the history of the thread bound here (asks first; name and key stay)",
  access: "allowed",
  args: ResetArgs,
  run: ({ place, sender, services }) =>
    services.confirmations.ask({ kind: "reset", conversation: place.conversation, senderId: sender.id }),
});
