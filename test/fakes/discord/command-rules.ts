/**
 * Discord's rules for a chat-input command registration (PUT …/commands), the ones a generator
 * could break: names, descriptions, option types, required options first, at most 25 options per
 * level, subcommands never mixed with plain options, nesting (a group holds only subcommands; a
 * subcommand holds only plain options) and 4000 characters of names and descriptions in all.
 * Returns the first problem, as Discord's Invalid Form Body would name it, or undefined.
 */
export function commandProblem(command: Record<string, unknown>): string | undefined {
  const name = String(command.name);
  return (
    nameProblem("command", command.name) ??
    descriptionProblem(name, command.description) ??
    optionsProblem(name, command.options, 0) ??
    (totalLength(command) > MAX_TOTAL ? `command ${name} is over ${MAX_TOTAL} characters in all` : undefined)
  );
}

const NAME = /^[-_'\p{L}\p{N}]{1,32}$/u;
const MAX_OPTIONS = 25;
const MAX_TOTAL = 4000;
const SUB_COMMAND = 1;
const SUB_COMMAND_GROUP = 2;
const STRING = 3;
const AUTOCOMPLETE_TYPES = new Set([3, 4, 10]);
const TYPES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

type Option = Record<string, unknown>;

function nameProblem(what: string, value: unknown): string | undefined {
  const name = String(value);
  return NAME.test(name) && name === name.toLowerCase() ? undefined : `bad ${what} name ${name}`;
}

function descriptionProblem(name: string, value: unknown): string | undefined {
  const text = typeof value === "string" ? value : "";
  return text.length < 1 || text.length > 100 ? `bad description for ${name}` : undefined;
}

/** `depth` 0: the command's own options; 1: inside a subcommand or group; 2: inside a grouped subcommand. */
function optionsProblem(parent: string, value: unknown, depth: number): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return `options of ${parent} must be an array`;
  const options = value as Option[];
  if (options.length > MAX_OPTIONS) return "more than 25 options";
  const names = options.map((o) => String(o.name));
  if (new Set(names).size !== names.length) return `duplicate option names under ${parent}`;
  const nested = options.filter((o) => o.type === SUB_COMMAND || o.type === SUB_COMMAND_GROUP).length;
  if (nested > 0 && nested < options.length) return `subcommands cannot be mixed with options under ${parent}`;
  let optionalSeen = false;
  for (const option of options) {
    const problem = optionProblem(option, depth);
    if (problem) return problem;
    if (option.required && optionalSeen) return "required options must be placed before non-required options";
    if (!option.required) optionalSeen = true;
  }
  return undefined;
}

function optionProblem(option: Option, depth: number): string | undefined {
  const name = String(option.name);
  const type = Number(option.type);
  if (!TYPES.has(type)) return `bad type ${String(option.type)} for option ${name}`;
  const basic = nameProblem("option", option.name) ?? descriptionProblem(`option ${name}`, option.description);
  if (basic) return basic;
  if (type === SUB_COMMAND_GROUP) {
    if (depth > 0) return `subcommand group ${name} can only be at the top level`;
    const inner = (Array.isArray(option.options) ? option.options : []) as Option[];
    if (inner.some((o) => o.type !== SUB_COMMAND)) return `group ${name} may only hold subcommands`;
    return optionsProblem(name, option.options, 1);
  }
  if (type === SUB_COMMAND) {
    // At depth 1 a subcommand can only sit in a group: a subcommand's own options are checked to be plain.
    if (depth > 1) return `subcommand ${name} is nested too deep`;
    if (option.required !== undefined) return `subcommand ${name} cannot be required`;
    const inner = (Array.isArray(option.options) ? option.options : []) as Option[];
    if (inner.some((o) => o.type === SUB_COMMAND || o.type === SUB_COMMAND_GROUP)) {
      return `subcommand ${name} may only hold plain options`;
    }
    return optionsProblem(name, option.options, depth + 1);
  }
  return valueOptionProblem(option, name, type);
}

function valueOptionProblem(option: Option, name: string, type: number): string | undefined {
  if (option.options !== undefined) return `option ${name} cannot hold options`;
  if (option.autocomplete && !AUTOCOMPLETE_TYPES.has(type)) return `option ${name} cannot autocomplete`;
  if (option.autocomplete && Array.isArray(option.choices) && option.choices.length > 0) {
    return `option ${name} cannot have both choices and autocomplete`;
  }
  const max = option.max_length;
  if (max === undefined) return undefined;
  if (type !== STRING) return `max_length is only for string options (${name})`;
  return typeof max !== "number" || max < 1 || max > 6000 ? "bad max_length" : undefined;
}

/** Names, descriptions and choice names/values count toward Discord's 4000-character total. */
function totalLength(node: Option): number {
  const own = String(node.name ?? "").length + String(node.description ?? "").length;
  const choices = Array.isArray(node.choices)
    ? (node.choices as Option[]).reduce((n, c) => n + String(c.name).length + String(c.value).length, 0)
    : 0;
  const options = Array.isArray(node.options) ? (node.options as Option[]).reduce((n, o) => n + totalLength(o), 0) : 0;
  return own + choices + options;
}
