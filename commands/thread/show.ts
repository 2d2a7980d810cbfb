import { z } from "zod";
import { defineCommand } from "../../src/core/commands/command.ts";
import type { Services } from "../../src/core/commands/services.ts";
import { ago, when } from "../../src/core/threads/status.ts";
import { describeToolCall } from "../../src/core/turns/notices.ts";
import { recapLines } from "../threads/recap-line.ts";

const ShowArgs = z.object({});

/** /thread show (and a bare /thread): the thread bound here, its status and checkpoint. */
export const show = defineCommand<z.infer<typeof ShowArgs>, Services>({
  name: "show",
  description: "Show the thread bound here and its status",
  access: "allowed",
  args: ShowArgs,
  run: async ({ place, services }) => ({ text: await showThread(services, place.conversation) }),
});

/** What /thread says about the thread bound in `conversation` (async: lines may come from the gateway). */
export async function showThread(services: Services, conversation: string): Promise<string> {
  const t = services.threads.boundThread(conversation);
  if (!t) return "No thread is bound here. Start one with /thread <name>.";
  const lines = [
    `Thread "${t.name}" (${t.slug}): ${services.threads.status(t)}.`,
    `Created ${when(t.createdAt)}, last activity ${ago(services.clock.now(), t.lastActivityAt)}, ${t.messageCount} message(s).`,
    services.threads.policy(t) === "confirm"
      ? "Resume policy: confirm (a turn a crash cuts short waits for you)."
      : "Resume policy: auto (OpenClaw continues a turn a crash cuts short by itself).",
    // Best effort: a short wait, and a line saying so when the gateway cannot tell (never an error).
    await services.modelUsage.usageLine(t),
  ];
  lines.push(...recapLines(services, t));
  services.recaps.request([t]);
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
