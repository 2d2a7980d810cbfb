import { z } from "zod";
import { defineCommand } from "../src/core/commands/command.ts";
import type { Services } from "../src/core/commands/services.ts";

const HelpArgs = z.object({});

/** /help: what the commands do. */
export const help = defineCommand<z.infer<typeof HelpArgs>, Services>({
  name: "help",
  description: "What the commands do",
  access: "allowed",
  params: [],
  args: HelpArgs,
  async run({ services }) {
    const lines = services.commands().map((c) => {
      const params = c.params.map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`)).join(" ");
      return `/${c.name}${params ? ` ${params}` : ""} — ${c.description}`;
    });
    lines.push(
      "Anything else you write in a conversation bound to a thread goes to that thread's agent session, with the photos, files and voice notes you attach.",
      "While the agent works you see its current step; when it asks to run a command, answer with the buttons (or /approve, /deny).",
    );
    return { text: lines.join("\n") };
  },
});
