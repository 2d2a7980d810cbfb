import { z } from "zod";
import type { Button } from "../ports.ts";

/** Who may run a command: anyone who reaches the bot, allowed users, or admins. */
export type AccessLevel = "anyone" | "allowed" | "admin";

/** The person behind an invocation. */
export interface Sender {
  /** `platform:userId`, as written in ALLOWED_USERS / ADMIN_USERS. */
  id: string;
  /** Display name for logs and replies; never used for access. */
  name?: string | undefined;
}

/** Where an invocation happened, with the platform capabilities the core may use there. */
export interface Place {
  /** Conversation key (see src/core/keys/conversation-key.ts). */
  conversation: string;
  /** A private chat / DM. */
  direct: boolean;
  /**
   * Present in containers that host native threads (a Telegram forum's General topic, a Discord
   * text or forum channel): opens — or reopens, unarchiving — the topic/thread for `name` and
   * returns its conversation key. `existing` is the conversation the bot opened for it before.
   */
  openNativeThread?:
    | ((request: { name: string; slug: string; existing?: string | undefined }) => Promise<string>)
    | undefined;
  /** Asks the platform whether the sender administers this place's space (chat admin, Manage Server). */
  senderIsSpaceAdmin?: (() => Promise<boolean>) | undefined;
}

/** What the core answers; channels render it (ephemeral where the platform can). */
export interface Reply {
  text: string;
  format?: "plain" | "markdown" | undefined;
  buttons?: Button[] | undefined;
  /** Only the sender should see it (Discord ephemeral); elsewhere a normal reply. */
  ephemeral?: boolean | undefined;
}

/** One positional or named argument, for Telegram parsing and Discord slash options. */
export interface CommandParam {
  name: string;
  description: string;
  required: boolean;
  /** Offer Discord autocomplete choices: thread names (`true`), or the source named. */
  autocomplete?: boolean | AutocompleteSource | undefined;
  /** Longest value accepted (Discord option max_length). */
  maxLength?: number | undefined;
}

/** Where a param's autocomplete choices come from: thread names, or the gateway's model catalog. */
export type AutocompleteSource = "threads" | "models";

/** Raw arguments as a channel delivers them: named options, the last param taking the rest of the text. */
export type RawArgs = Record<string, string | undefined>;

/** A platform-neutral command: definition, argument schema, access and handler. */
export interface CommandDefinition<A = unknown, S = unknown> {
  /** Lower-case name without the slash, 1–32 chars. */
  name: string;
  /** One line, ≤ 100 chars (Discord's limit), shown in menus and /help. */
  description: string;
  access: AccessLevel;
  /** Parameters in order; Telegram maps free text onto them, Discord registers them as options. */
  params: readonly CommandParam[];
  /** Validates RawArgs; failures become one-line answers. */
  args: z.ZodType<A, RawArgs>;
  /** Runs the command; returns what to say instead of calling a platform API. */
  run(context: CommandContext<A, S>): Promise<Reply>;
  /**
   * Subcommands, each its own definition (own access, args and run) in its own file: the first
   * word of the text (`/thread rename x`), or Discord's SUB_COMMAND option, picks one. Any other
   * first word is the parent's own argument, as if there were no subcommands.
   */
  subcommands?: readonly CommandDefinition<unknown, S>[] | undefined;
  /**
   * The parent's own behaviour as a subcommand: Discord forbids options beside subcommands, so
   * there `/thread <name>` becomes `/thread open name:`; typed text accepts the word too.
   */
  asSubcommand?: { name: string; description: string } | undefined;
}

/**
 * Which threads the sender may see and act on, decided by the core from the command's access level:
 * every thread (a configured admin, or the console), the threads bound in one chat or server (its
 * administrator, for admin commands), or only what is bound where they are.
 */
export type Reach = { kind: "all" } | { kind: "space"; space: string } | { kind: "here" };

/** What a command handler receives. */
export interface CommandContext<A, S> {
  args: A;
  place: Place;
  sender: Sender;
  reach: Reach;
  /** The services of the app (thread registry, relay, …). */
  services: S;
}

/** What an argument's schema may carry in `.meta()` besides its description. */
export interface ArgMeta {
  description?: string | undefined;
  /** Offer Discord autocomplete choices: thread names (`true`), or the source named. */
  autocomplete?: boolean | AutocompleteSource | undefined;
  /** Longest value accepted, where the schema checks it in a way zod cannot report (code points). */
  maxLength?: number | undefined;
  /** Set by buttons only (a page number): not offered in menus or /help. */
  hidden?: boolean | undefined;
}

/**
 * The params of an argument schema, in order: required unless optional, with the description,
 * autocomplete and length limit its fields declare (so menus, slash options and parsing agree).
 */
export function paramsOf(args: z.ZodType): CommandParam[] {
  if (!(args instanceof z.ZodObject)) return [];
  return Object.entries(args.shape as Record<string, z.ZodType>).flatMap(([name, field]) => {
    const inner = field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType) : field;
    const meta = (z.globalRegistry.get(inner) ?? z.globalRegistry.get(field) ?? {}) as ArgMeta;
    if (meta.hidden) return [];
    const maxLength = meta.maxLength ?? (inner instanceof z.ZodString ? (inner.maxLength ?? undefined) : undefined);
    return [
      {
        name,
        description: meta.description ?? inner.description ?? name,
        required: !(field instanceof z.ZodOptional),
        ...(meta.autocomplete ? { autocomplete: meta.autocomplete } : {}),
        ...(maxLength !== undefined ? { maxLength } : {}),
      },
    ];
  });
}

/**
 * Declares a command; gives handlers their types and derives `params` from the argument schema
 * when the definition does not list them.
 * @example
 * export const help = defineCommand({ name: "help", description: "What the commands do", access: "anyone",
 *   args: z.object({}), run: async () => ({ text: "…" }) });
 */
export function defineCommand<A, S>(
  definition: Omit<CommandDefinition<A, S>, "params"> & { params?: readonly CommandParam[] | undefined },
): CommandDefinition<A, S> {
  checkSubcommands(definition);
  return { ...definition, params: definition.params ?? paramsOf(definition.args) };
}

const SUBCOMMAND_NAME = /^[a-z0-9_-]{1,32}$/;
/** Discord's most options (here: subcommands) on one command. */
const MAX_SUBCOMMANDS = 25;

/**
 * A command's subcommands must be words every platform can carry, distinct, at most 25 (Discord),
 * and one level deep: a mistake here fails at start, not when Discord refuses the registration.
 */
function checkSubcommands(definition: {
  name: string;
  subcommands?: readonly { name: string; subcommands?: readonly unknown[] | undefined }[] | undefined;
  asSubcommand?: { name: string } | undefined;
}): void {
  const subs = definition.subcommands ?? [];
  const words = [...(definition.asSubcommand ? [definition.asSubcommand.name] : []), ...subs.map((s) => s.name)];
  const problem = subcommandProblem(
    words,
    subs.some((s) => s.subcommands?.length),
  );
  if (problem) throw new Error(`/${definition.name}: ${problem} (${words.join(", ")})`);
}

function subcommandProblem(words: readonly string[], nested: boolean): string | undefined {
  if (words.some((w) => !SUBCOMMAND_NAME.test(w)))
    return "a subcommand name is not lower-case a-z, 0-9, _ or -, 1-32 long";
  if (new Set(words).size !== words.length) return "two subcommands share a name";
  if (words.length > MAX_SUBCOMMANDS) return `more than ${MAX_SUBCOMMANDS} subcommands`;
  if (nested) return "a subcommand has subcommands of its own";
  return undefined;
}

/**
 * Splits free text (Telegram's text after the command) onto the params: each param but the last
 * takes one word, the last takes the rest. Empty text gives no values.
 */
export function rawArgsFromText(params: readonly CommandParam[], text: string): RawArgs {
  const out: RawArgs = {};
  let rest = text.trim();
  params.forEach((param, index) => {
    if (rest.length === 0) return;
    if (index === params.length - 1) {
      out[param.name] = rest;
      rest = "";
      return;
    }
    const match = /^(\S+)\s*([\s\S]*)$/.exec(rest);
    out[param.name] = match?.[1];
    rest = match?.[2] ?? "";
  });
  if (rest.length > 0) out[""] = rest;
  return out;
}
