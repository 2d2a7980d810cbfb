import { z } from "zod";
import { defineCommand } from "../src/core/commands/command.ts";
import type { Services } from "../src/core/commands/services.ts";

const StopArgs = z.object({});

/** /stop: abort the running turn of the thread bound here; its partial answer stays, marked stopped. */
export const stop = defineCommand<z.infer<typeof StopArgs>, Services>({
  name: "stop",
  description: "Stop the agent's running turn in the thread here (what it wrote so far stays)",
  access: "allowed",
  args: StopArgs,
  run: ({ place, sender, services }) => services.runs.stop({ conversation: place.conversation, senderId: sender.id }),
});
