import type { CommandDefinition, CommandParam } from "./command.ts";

/** A command as an invocation resolved it: the definition that runs, and how a person writes it. */
export interface ResolvedCommand<S> {
  /** The subcommand's definition, or the parent's own when no subcommand was named. */
  definition: CommandDefinition<unknown, S>;
  /** `thread` or `thread rename`: for usage lines and refusals. */
  path: string;
  /** Text left for the resolved definition's params (the first word went to pick a subcommand). */
  text: string;
}

const FIRST_WORD = /^(\S+)(?:\s+([\s\S]*))?$/;

/**
 * Picks the definition an invocation runs: Discord names the subcommand (`subcommand`); typed text
 * names it with its first word, case-insensitive. A first word that names no subcommand stays the
 * parent's argument (`/thread budget-planning`). Undefined for an unknown command, or an unknown
 * subcommand named by Discord (a stale registration).
 */
export function resolveCommand<S>(
  commands: readonly CommandDefinition<unknown, S>[],
  invocation: { name: string; subcommand?: string | undefined; text?: string | undefined },
): ResolvedCommand<S> | undefined {
  const parent = commands.find((c) => c.name === invocation.name);
  if (!parent) return undefined;
  const text = (invocation.text ?? "").trim();
  if (invocation.subcommand !== undefined) {
    const definition = subcommandNamed(parent, invocation.subcommand);
    return definition && { definition, path: pathOf(parent, definition), text };
  }
  const match = FIRST_WORD.exec(text);
  const definition = match?.[1] ? subcommandNamed(parent, match[1].toLowerCase()) : undefined;
  if (!definition) return { definition: parent, path: parent.name, text };
  return { definition, path: pathOf(parent, definition), text: match?.[2]?.trim() ?? "" };
}

/** The subcommand called `name`, or the parent itself when `name` is its `asSubcommand` word. */
function subcommandNamed<S>(
  parent: CommandDefinition<unknown, S>,
  name: string,
): CommandDefinition<unknown, S> | undefined {
  if (parent.asSubcommand?.name === name) return parent;
  return parent.subcommands?.find((s) => s.name === name);
}

function pathOf<S>(parent: CommandDefinition<unknown, S>, definition: CommandDefinition<unknown, S>): string {
  return definition === parent ? parent.name : `${parent.name} ${definition.name}`;
}

/** Every word that picks a subcommand of `definition` in typed text (its own `asSubcommand` word included). */
export function subcommandWords(definition: CommandDefinition<unknown, unknown> | undefined): string[] {
  if (!definition) return [];
  const words = (definition.subcommands ?? []).map((s) => s.name);
  return definition.asSubcommand ? [definition.asSubcommand.name, ...words] : words;
}

/** `/thread rename <name> [note]`: how to write a command, from its params. */
export function usageOf(path: string, params: readonly CommandParam[]): string {
  const words = params.map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`));
  return [`/${path}`, ...words].join(" ");
}

/**
 * Every command and subcommand with its path, parents first, for /help and menus: the parent's
 * own line, then each subcommand's.
 */
export function commandLines<S>(
  commands: readonly CommandDefinition<unknown, S>[],
): { path: string; definition: CommandDefinition<unknown, S> }[] {
  return commands.flatMap((parent) => [
    { path: parent.name, definition: parent },
    ...(parent.subcommands ?? []).map((s) => ({ path: `${parent.name} ${s.name}`, definition: s })),
  ]);
}
