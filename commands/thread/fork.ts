import { z } from "zod";
import { defineCommand } from "../../src/core/commands/command.ts";
import type { Services } from "../../src/core/commands/services.ts";
import { newNameArg } from "./new-name.ts";

const ForkArgs = z.object({ name: newNameArg("Name of the new thread", "/thread fork budget-b") });

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
