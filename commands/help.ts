import { z } from "zod";
import { defineCommand } from "../src/core/commands/command.ts";
import { commandLines, usageOf } from "../src/core/commands/dispatch.ts";
import type { Services } from "../src/core/commands/services.ts";

const HelpArgs = z.object({});

/** /help: what the commands and their subcommands do, generated from the definitions. */
export const help = defineCommand<z.infer<typeof HelpArgs>, Services>({
  name: "help",
  description: "What the commands do",
  access: "allowed",
  params: [],
  args: HelpArgs,
  async run({ services }) {
    const lines = commandLines(services.commands()).map(({ path, definition }) => {
      const indent = path.includes(" ") ? "  " : "";
      const admins = definition.access === "admin" && !/admins/i.test(definition.description) ? " (admins)" : "";
      return `${indent}${usageOf(path, definition.params)} — ${definition.description}${admins}`;
    });
    // Discord cannot give a command with subcommands options of its own: name the form it uses instead.
    const discord = services.commands().flatMap((c) => {
      if (!c.asSubcommand || !c.subcommands?.length) return [];
      return [`${usageOf(`${c.name} ${c.asSubcommand.name}`, c.params)} for ${usageOf(c.name, c.params)}`];
    });
    if (discord.length > 0) lines.push(`In Discord's slash menu: ${discord.join("; ")}.`);
    lines.push(
      "Anything else you write in a conversation bound to a thread goes to that thread's agent session, with the photos, files and voice notes you attach.",
      "While the agent works you see its current step; when it asks to run a command, answer with the buttons (or /approve, /deny).",
    );
    return { text: lines.join("\n") };
  },
});
