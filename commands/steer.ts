import { z } from "zod";
import { defineCommand } from "../src/core/commands/command.ts";
import type { Services } from "../src/core/commands/services.ts";
import { texts } from "../src/core/texts.ts";

/** The most a steer may say: within Discord's 6,000 for an option value and a Telegram message's 4,096. */
const MAX_STEER = 4_000;

const SteerArgs = z.object({
  text: z
    .string(texts.steerEmpty)
    .trim()
    .min(1, texts.steerEmpty)
    .max(MAX_STEER, `At most ${MAX_STEER} characters.`)
    .meta({ description: "What the agent should do instead" }),
});

/** /steer <text>: interrupt the running turn with new words (an ordinary message when nothing runs). */
export const steer = defineCommand<z.infer<typeof SteerArgs>, Services>({
  name: "steer",
  description: "Redirect the agent's running turn in the thread here with new words",
  access: "allowed",
  args: SteerArgs,
  run: ({ args, place, sender, services }) =>
    services.runs.steer({ conversation: place.conversation, senderId: sender.id, text: args.text }),
});
