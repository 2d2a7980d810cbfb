import { z } from "zod";
import { defineCommand } from "../src/core/commands/command.ts";
import type { Services } from "../src/core/commands/services.ts";

const ResumeArgs = z.object({
  name: z.string().max(2_000, "Thread names are at most 100 characters.").optional(),
});

/** /resume [name]: continue the interrupted turn of the thread bound here (or of `name`). */
export const resume = defineCommand<z.infer<typeof ResumeArgs>, Services>({
  name: "resume",
  description: "Continue an interrupted turn of the thread here (or of the named thread)",
  access: "allowed",
  params: [
    {
      name: "name",
      description: "Thread name (default: the thread bound here)",
      required: false,
      autocomplete: true,
      maxLength: 100,
    },
  ],
  args: ResumeArgs,
  run: ({ args, place, sender, services }) =>
    services.resumer.run({
      conversation: place.conversation,
      senderId: sender.id,
      name: args.name?.trim() || undefined,
    }),
});
