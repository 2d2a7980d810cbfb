import { z } from "zod";
import { threadNameArg } from "../src/core/commands/args.ts";
import { defineCommand } from "../src/core/commands/command.ts";
import type { Services } from "../src/core/commands/services.ts";
import { ago, when } from "../src/core/threads/status.ts";
import { del } from "./thread/delete.ts";
import { exportThread } from "./thread/export.ts";
import { fork } from "./thread/fork.ts";
import { threadModel } from "./thread/model.ts";
import { off } from "./thread/off.ts";
import { rename } from "./thread/rename.ts";
import { reset } from "./thread/reset.ts";
import { show, showThread } from "./thread/show.ts";
import { threadUsage } from "./thread/usage.ts";

const ThreadArgs = z.object({ name: threadNameArg("Thread name (without one: show the thread bound here)") });

/**
 * /thread [name]: create or re-attach a named thread and bind it here; without a name, show it.
 * Its subcommands (`/thread off`, …) each live in commands/thread/; on Discord the parent's own
 * behaviour is `/thread open name:`.
 */
export const thread = defineCommand<z.infer<typeof ThreadArgs>, Services>({
  name: "thread",
  description: "Create or re-attach a named thread here; without a name, show it",
  access: "allowed",
  args: ThreadArgs,
  asSubcommand: { name: "open", description: "Create or re-attach a named thread and bind it here" },
  subcommands: [show, off, threadModel, threadUsage, exportThread, rename, fork, reset, del],
  async run({ args, place, sender, services }) {
    const name = args.name ?? "";
    if (name === "") return { text: await showThread(services, place.conversation) };
    const result = await services.threads.attach({ name, place, sender });
    const t = result.thread;
    const verb = result.created ? "Created" : "Attached";
    const where = result.conversation === place.conversation ? "here" : "in its own topic/thread";
    const lines = [
      `${verb} thread "${t.name}" (${t.slug}) ${where}.`,
      `Created ${when(t.createdAt)}, last activity ${ago(services.clock.now(), t.lastActivityAt)}, status: ${services.threads.status(t)}.`,
    ];
    if (result.labelNote) lines.push(result.labelNote);
    if (result.offline) lines.push("The gateway is away right now; messages will be queued until it is back.");
    return { text: lines.join("\n") };
  },
});
