import { z } from "zod";
import { defineCommand } from "../../src/core/commands/command.ts";
import type { Services } from "../../src/core/commands/services.ts";

const DeleteArgs = z.object({});

/**
 * /thread delete (admins): the session and every binding go and the name is free again, after a
 * confirmation only the asker answers. Refused while a turn runs: stop or finish it first.
 */
export const del = defineCommand<z.infer<typeof DeleteArgs>, Services>({
  name: "delete",
  description: "Delete the thread bound here: its session, bindings and name (admins; asks first)",
  access: "admin",
  args: DeleteArgs,
  run: ({ place, sender, services }) =>
    services.confirmations.ask({ kind: "delete", conversation: place.conversation, senderId: sender.id }),
});
