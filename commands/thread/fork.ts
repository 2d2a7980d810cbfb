import { z } from "zod";
import { newThreadNameArg } from "../../src/core/commands/args.ts";
import { defineCommand } from "../../src/core/commands/command.ts";
import type { Services } from "../../src/core/commands/services.ts";

const ForkArgs = z.object({ name: newThreadNameArg("Name of the new thread") });

/** /thread fork <new name>: a new thread starting from this one's history (OpenClaw's fork), bound here. */
export const fork = defineCommand<z.infer<typeof ForkArgs>, Services>({
  name: "fork",
  description: "Start a new named thread from this thread's history and bind it here",
  access: "allowed",
  args: ForkArgs,
  run: async ({ args, place, sender, services }) => ({
    text: await services.identity.fork({ place, name: args.name, senderId: sender.id }),
  }),
});
