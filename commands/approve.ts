import { z } from "zod";
import { defineCommand } from "../src/core/commands/command.ts";
import type { Services } from "../src/core/commands/services.ts";

const ApproveArgs = z.object({
  always: z
    .enum(["always"], { error: "Write /approve, or /approve always where OpenClaw offers it." })
    .meta({ description: "'always' to approve this command for good (where OpenClaw offers it)" })
    .optional(),
});

/** /approve [always]: answer the newest approval waiting in this conversation (the console has no buttons). */
export const approve = defineCommand<z.infer<typeof ApproveArgs>, Services>({
  name: "approve",
  description: "Approve the command the agent is waiting to run here",
  access: "allowed",
  args: ApproveArgs,
  run: ({ args, place, sender, services }) =>
    services.approvals.decide({
      conversation: place.conversation,
      senderId: sender.id,
      decision: args.always ? "allow-always" : "allow-once",
    }),
});
