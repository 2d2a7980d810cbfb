import { z } from "zod";
import { threadNameArg } from "../src/core/commands/args.ts";
import { defineCommand } from "../src/core/commands/command.ts";
import type { Services } from "../src/core/commands/services.ts";

const ResumeArgs = z.object({ name: threadNameArg("Thread name (default: the thread bound here)") });

/** /resume [name]: continue the interrupted turn of the thread bound here (or of `name`). */
export const resume = defineCommand<z.infer<typeof ResumeArgs>, Services>({
  name: "resume",
  description: "Continue an interrupted turn of the thread here (or of the named thread)",
  access: "allowed",
  args: ResumeArgs,
  run: ({ args, place, sender, services }) =>
    services.resumer.run({
      conversation: place.conversation,
      senderId: sender.id,
      name: args.name || undefined,
    }),
});
