import { z } from "zod";
import { newThreadNameArg } from "../../src/core/commands/args.ts";
import { defineCommand } from "../../src/core/commands/command.ts";
import type { Services } from "../../src/core/commands/services.ts";

const RenameArgs = z.object({ name: newThreadNameArg("The thread's new name") });

/** /thread rename <new name>: a new name and label; the slug and session key stay, old names keep reaching it. */
export const rename = defineCommand<z.infer<typeof RenameArgs>, Services>({
  name: "rename",
  description: "Rename the thread bound here (its session key stays; the old name still reaches it)",
  access: "allowed",
  args: RenameArgs,
  run: async ({ args, place, services }) => ({
    text: await services.identity.rename({ conversation: place.conversation, name: args.name }),
  }),
});
