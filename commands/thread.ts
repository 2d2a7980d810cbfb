import { z } from "zod";
import { threadNameArg } from "../src/core/commands/args.ts";
import { defineCommand } from "../src/core/commands/command.ts";
import type { Services } from "../src/core/commands/services.ts";
import { ago, when } from "../src/core/threads/status.ts";
import { describeToolCall } from "../src/core/turns/notices.ts";

const ThreadArgs = z.object({ name: threadNameArg("Thread name, or 'off' to unbind") });

/** /thread [name|off]: create or re-attach a named thread and bind it here; show or unbind it. */
export const thread = defineCommand<z.infer<typeof ThreadArgs>, Services>({
  name: "thread",
  description: "Create or re-attach a named thread here; without a name, show it; 'off' unbinds",
  access: "allowed",
  args: ThreadArgs,
  async run({ args, place, sender, services }) {
    const name = args.name ?? "";
    if (name === "") return { text: await show(services, place.conversation) };
    if (name.toLowerCase() === "off") {
      const unbound = await services.threads.unbind(place.conversation);
      return {
        text: unbound
          ? `Unbound "${unbound.name}" from this conversation. The thread and its session stay.`
          : "No thread is bound here.",
      };
    }
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

async function show(services: Services, conversation: string): Promise<string> {
  const t = services.threads.boundThread(conversation);
  if (!t) return "No thread is bound here. Start one with /thread <name>.";
  const lines = [
    `Thread "${t.name}" (${t.slug}): ${services.threads.status(t)}.`,
    `Created ${when(t.createdAt)}, last activity ${ago(services.clock.now(), t.lastActivityAt)}, ${t.messageCount} message(s).`,
    t.parentSessionKey
      ? "Resume policy: confirm (a turn a crash cuts short waits for you)."
      : "Resume policy: auto (OpenClaw continues a turn a crash cuts short by itself).",
    // Best effort: a short wait, and a line saying so when the gateway cannot tell (never an error).
    await services.modelUsage.usageLine(t),
  ];
  const checkpoint = services.threads.checkpoint(t.slug);
  if (checkpoint) {
    lines.push(
      `Checkpoint (${when(checkpoint.updatedAt)}, ${checkpoint.status}): task "${checkpoint.task.slice(0, 200)}"`,
    );
    if (checkpoint.lastToolCall) lines.push(`Last step: ${describeToolCall(checkpoint.lastToolCall)}`);
    if (checkpoint.nextAction) lines.push(`Next: ${checkpoint.nextAction}`);
  }
  return lines.join("\n");
}
