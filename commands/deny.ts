import { z } from "zod";
import { defineCommand } from "../src/core/commands/command.ts";
import type { Services } from "../src/core/commands/services.ts";

const DenyArgs = z.object({});

/** /deny: refuse the newest approval waiting in this conversation; the agent is told it was denied. */
export const deny = defineCommand<z.infer<typeof DenyArgs>, Services>({
  name: "deny",
  description: "Deny the command the agent is waiting to run here",
  access: "allowed",
  args: DenyArgs,
  run: ({ place, sender, services }) =>
    services.approvals.decide({ conversation: place.conversation, senderId: sender.id, decision: "deny" }),
});
