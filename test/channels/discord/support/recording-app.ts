import { z } from "zod";
import type { CommandInvocation } from "../../../../src/core/app-port.ts";
import {
  type CommandDefinition,
  defineCommand,
  type RawArgs,
  type Reply,
} from "../../../../src/core/commands/command.ts";
import { RecordingApp } from "../../support/recording-app.ts";

const NameArgs = z.object({ name: z.string().optional() }) as unknown as z.ZodType<unknown, RawArgs>;
const FilterArgs = z.object({ filter: z.string().optional() }) as unknown as z.ZodType<unknown, RawArgs>;
const notUsed = async (): Promise<Reply> => ({ text: "not used: the recording app answers itself" });

/** Command definitions shaped like the real ones (commands/*.ts), for slash registration. */
export const testCommands: readonly CommandDefinition<unknown, unknown>[] = [
  defineCommand({
    name: "thread",
    description: "Create or re-attach a named thread here",
    access: "allowed",
    params: [{ name: "name", description: "Thread name", required: false, autocomplete: true, maxLength: 100 }],
    args: NameArgs,
    run: notUsed,
  }),
  defineCommand({
    name: "resume",
    description: "Continue an interrupted turn",
    access: "allowed",
    params: [{ name: "name", description: "Thread name", required: false, autocomplete: true, maxLength: 100 }],
    args: NameArgs,
    run: notUsed,
  }),
  defineCommand({
    name: "threads",
    description: "List threads (admins)",
    access: "admin",
    params: [{ name: "filter", description: "Only names containing this", required: false, maxLength: 100 }],
    args: FilterArgs,
    run: notUsed,
  }),
  defineCommand({
    name: "rename",
    description: "Test command with a required option after an optional one",
    access: "allowed",
    params: [
      { name: "note", description: "Optional note", required: false },
      { name: "to", description: "New name", required: true },
    ],
    args: NameArgs,
    run: notUsed,
  }),
];

/**
 * A RecordingApp that answers like a tiny core: `/thread name` opens a native thread where the place
 * offers one (remembering it per container, as the core does) or binds the conversation; `/threads`
 * asks senderIsSpaceAdmin. Tests replace the `on*` handlers.
 */
export class TinyCoreApp extends RecordingApp {
  /** Conversation keys bound to a thread name. */
  readonly bindings = new Map<string, string>();
  /** `<container>|<name>` → the native thread conversation opened for it. */
  readonly nativeThreads = new Map<string, string>();

  constructor() {
    super(testCommands);
    this.onCommand = (i) => this.defaultCommand(i);
    this.onAction = async (i) =>
      i.data.startsWith("tk:")
        ? { text: "Resuming.", ephemeral: true }
        : { text: "That button is not one of this bot's, or it has expired.", ephemeral: true };
    this.onAutocomplete = async () => ["budget-planning", "Budget review"];
  }

  /** The tiny core's answers. */
  async defaultCommand(invocation: CommandInvocation): Promise<Reply | undefined> {
    const { place } = invocation;
    const name = (invocation.options?.name ?? invocation.text ?? "").trim();
    if (invocation.name === "threads") {
      const admin = (await place.senderIsSpaceAdmin?.()) ?? false;
      return admin
        ? { text: `Threads: ${[...new Set(this.bindings.values())].join(", ") || "none"}`, ephemeral: true }
        : { text: "Only admins can list threads.", ephemeral: true };
    }
    if (invocation.name !== "thread") return { text: `ran /${invocation.name}` };
    if (name === "") return { text: "No thread is bound here. Start one with /thread <name>.", ephemeral: true };
    const slug = name.toLowerCase().replace(/\s+/g, "-");
    let conversation = place.conversation;
    if (place.openNativeThread) {
      const memory = `${place.conversation}|${slug}`;
      conversation = await place.openNativeThread({ name, slug, existing: this.nativeThreads.get(memory) });
      this.nativeThreads.set(memory, conversation);
    }
    this.bindings.set(conversation, slug);
    return {
      text: `Attached thread "${name}" (${slug}) ${conversation === place.conversation ? "here" : "in its own thread"}.`,
    };
  }
}
