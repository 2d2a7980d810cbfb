import { z } from "zod";
import type {
  ActionInvocation,
  AppPort,
  AutocompleteInvocation,
  CommandInvocation,
  ConversationMove,
  MessageInvocation,
} from "../../../src/core/app-port.ts";
import { type CommandDefinition, defineCommand, type Reply } from "../../../src/core/commands/command.ts";

const freeText = z.record(z.string(), z.string().optional());

function command(name: string, description: string, params: string[]): CommandDefinition<unknown, unknown> {
  return defineCommand<unknown, unknown>({
    name,
    description,
    access: "allowed",
    params: params.map((p) => ({ name: p, description: p, required: false })),
    args: freeText,
    run: async () => ({ text: name }),
  });
}

/** Commands named like the real ones that take free text (as Telegram passes it). */
export const freeTextCommands: readonly CommandDefinition<unknown, unknown>[] = [
  command("thread", "Attach a named thread here", ["name"]),
  command("threads", "List threads", ["filter"]),
  command("resume", "Continue an interrupted turn", ["name"]),
  command("help", "What the commands do", []),
];

/** A gate a test opens when it wants a held handler to finish. */
export function gate(): { wait: Promise<void>; open(): void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/**
 * An AppPort for channel tests: records every invocation and answers through replaceable
 * handlers (a test swaps `onCommand` etc. to script the core's side).
 */
export class RecordingApp implements AppPort {
  readonly commands: readonly CommandDefinition<unknown, unknown>[];
  readonly commandCalls: CommandInvocation[] = [];
  readonly messageCalls: MessageInvocation[] = [];
  readonly actionCalls: ActionInvocation[] = [];
  readonly autocompleteCalls: AutocompleteInvocation[] = [];
  readonly moves: ConversationMove[] = [];
  onCommand: (invocation: CommandInvocation) => Promise<Reply | undefined> = async (invocation) => ({
    text: `ran /${invocation.name} ${invocation.text ?? ""}`.trim(),
  });
  onMessage: (invocation: MessageInvocation) => Promise<Reply | undefined> = async () => undefined;
  onAction: (invocation: ActionInvocation) => Promise<Reply> = async (invocation) => ({
    text: `pressed ${invocation.data}`,
  });
  onAutocomplete: (invocation: AutocompleteInvocation) => Promise<string[]> = async () => [];

  constructor(commands: readonly CommandDefinition<unknown, unknown>[] = freeTextCommands) {
    this.commands = commands;
  }

  handleCommand(invocation: CommandInvocation): Promise<Reply | undefined> {
    this.commandCalls.push(invocation);
    return this.onCommand(invocation);
  }

  handleMessage(invocation: MessageInvocation): Promise<Reply | undefined> {
    this.messageCalls.push(invocation);
    return this.onMessage(invocation);
  }

  handleAction(invocation: ActionInvocation): Promise<Reply> {
    this.actionCalls.push(invocation);
    return this.onAction(invocation);
  }

  autocomplete(invocation: AutocompleteInvocation): Promise<string[]> {
    this.autocompleteCalls.push(invocation);
    return this.onAutocomplete(invocation);
  }

  async conversationMoved(move: ConversationMove): Promise<void> {
    this.moves.push(move);
  }
}
