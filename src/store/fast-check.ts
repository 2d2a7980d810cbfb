import type { z } from "zod";

/**
 * Compiles a zod schema into a check that answers, allocating nothing, whether zod
 * would accept a JSON value *and give it back unchanged*: no default filled in, no
 * unknown key stripped. A store load runs it on each of 400,000 entries instead of
 * `safeParse` (which builds a copy of every entry) plus a deep comparison with that
 * copy, and asks zod only about the entries it refuses: zod stays the schema, and
 * produces every error message and every changed entry.
 *
 * Only constructs whose zod semantics are simple enough to restate exactly are
 * compiled (strings, finite numbers with integer and range checks, booleans, enums,
 * literals, unknown, arrays, plain, strict and loose objects with required, optional and
 * defaulted fields); for any other the result is undefined and the caller uses zod.
 * test/store/fast-check.test.ts holds the check to zod on randomized values.
 *
 * The check is generated code (`new Function`), as zod's own `z.compile` does: named
 * property reads and inlined type tests run about twice as fast as closures indexing
 * by key, which is ~70 ms of a 100,000-thread load.
 */

/** True only when `schema.safeParse(value)` would succeed with a result deep-equal to `value`. */
export type FastCheck = (value: unknown) => boolean;

/** The parts of zod's internal definitions read here. */
interface Def {
  type: string;
  /** Set when the schema is itself a check, as format schemas are. */
  check?: string;
  checks?: readonly { _zod: { def: CheckDef } }[];
  coerce?: boolean;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  innerType?: Schema;
}
interface CheckDef {
  check: string;
  format?: string;
  value?: unknown;
  inclusive?: boolean;
  when?: unknown;
}
interface Schema {
  _zod: { def: Def; values?: ReadonlySet<unknown> | undefined; optin?: string | undefined };
}

/** The check for `schema`, or undefined when it uses something this compiler does not restate. */
export function compileFastCheck(schema: z.ZodType): FastCheck | undefined {
  return new Compiler(0).compile(schema as unknown as Schema);
}

/** Nesting deeper than this is taken for a recursive schema (zod allows them through getters) and left to zod. */
const MAX_DEPTH = 16;

class Compiler {
  readonly #constants: unknown[] = [];
  readonly #depth: number;

  constructor(depth: number) {
    this.#depth = depth;
  }

  /** Generates `(v) => boolean` for one schema, with its constants bound. */
  compile(schema: Schema): FastCheck | undefined {
    if (this.#depth > MAX_DEPTH) return undefined;
    const body = schema._zod.def.type === "object" ? this.#objectBody(schema._zod.def) : this.#valueBody(schema);
    if (body === undefined) return undefined;
    const names = this.#constants.map((_, i) => `c${i}`);
    const factory = new Function(...names, `"use strict"; return (v) => {\n${body}\n};`);
    return factory(...this.#constants) as FastCheck;
  }

  #valueBody(schema: Schema): string | undefined {
    const test = this.#test(schema, "v");
    return test === undefined ? undefined : `return ${test};`;
  }

  /** A constant the generated code refers to by name (never spliced into the source). */
  #constant(value: unknown): string {
    this.#constants.push(value);
    return `c${this.#constants.length - 1}`;
  }

  /** An expression, true when `x` (a variable name) passes `schema` unchanged. */
  #test(schema: Schema, x: string): string | undefined {
    const def = schema._zod.def;
    if (def.coerce) return undefined;
    if (def.type === "number") return numberTest(def, x, (value) => this.#constant(value));
    // A format schema (z.email(), …) is itself a check.
    if ((def.checks ?? []).length > 0 || def.check !== undefined) return undefined;
    switch (def.type) {
      case "string":
        return `typeof ${x} === "string"`;
      case "boolean":
        return `typeof ${x} === "boolean"`;
      case "unknown":
        return "true";
      case "enum":
      case "literal":
        // The very set zod tests membership in.
        return schema._zod.values === undefined ? undefined : `${this.#constant(schema._zod.values)}.has(${x})`;
      case "array":
      case "object":
        return this.#nested(schema, x);
      default:
        return undefined;
    }
  }

  /** Arrays and objects get a function of their own, called from the parent's code. */
  #nested(schema: Schema, x: string): string | undefined {
    const def = schema._zod.def;
    if (def.type === "object") {
      const check = new Compiler(this.#depth + 1).compile(schema);
      return check === undefined ? undefined : `${this.#constant(check)}(${x})`;
    }
    const element = def.element === undefined ? undefined : new Compiler(this.#depth + 1).compile(def.element);
    if (element === undefined) return undefined;
    return `Array.isArray(${x}) && ${this.#constant(everyElement(element))}(${x})`;
  }

  /**
   * An object passes when it is a non-array object, every field passes, a required or
   * defaulted field is present (zod would fill in a default), and it has no key beyond
   * the fields counted (zod would strip it, or refuse it in a strict object).
   */
  #objectBody(def: Def): string | undefined {
    const catchall = def.catchall?._zod.def.type;
    const strip = catchall === undefined || catchall === "never";
    // A loose object (catchall unknown) gives back every other key as it is.
    const loose = catchall === "unknown";
    if ((!strip && !loose) || def.shape === undefined || (def.checks ?? []).length > 0) return undefined;
    const lines = ['if (typeof v !== "object" || v === null || Array.isArray(v)) return false;', "let seen = 0, x;"];
    for (const [key, field] of Object.entries(def.shape)) {
      const line = this.#field(key, field);
      if (line === undefined) return undefined;
      lines.push(line);
    }
    // JSON.parse makes "__proto__" an own key; zod's copy of a loose object would set the prototype instead.
    if (loose) lines.push('return !Object.hasOwn(v, "__proto__");');
    else lines.push("let keys = 0;", "for (const _ in v) keys++;", "return keys === seen;");
    return lines.join("\n");
  }

  /** One field's statement: read it, return false if it fails, count it if present. */
  #field(key: string, field: Schema): string | undefined {
    if (key === "__proto__") return undefined; // zod skips it; a plain read would see the prototype
    const fieldDef = field._zod.def;
    const optional = fieldDef.type === "optional";
    const inner = optional || fieldDef.type === "default" ? fieldDef.innerType : field;
    // optional(default(…)) fills in the default when absent: not restated.
    if (inner === undefined || (optional && inner._zod.optin !== undefined)) return undefined;
    const test = this.#test(inner, "x");
    if (test === undefined) return undefined;
    const name = JSON.stringify(key);
    // zod keeps an optional key whose value is undefined (never so in JSON), so it counts as seen.
    const absent = optional ? ` if (Object.hasOwn(v, ${name})) seen++;` : " return false;";
    return `x = v[${name}]; if (x === undefined) {${absent}} else if (${test}) seen++; else return false;`;
  }
}

/** Finite numbers with zod's `int()` (safe integers) and inclusive or exclusive bounds. */
function numberTest(def: Def, x: string, constant: (value: unknown) => string): string | undefined {
  const tests = [`typeof ${x} === "number"`, `Number.isFinite(${x})`];
  // z.int() and its kin carry their format check on the schema itself, z.number().int() in `checks`.
  const checks = [...(def.check === undefined ? [] : [def as CheckDef]), ...(def.checks ?? []).map((c) => c._zod.def)];
  for (const check of checks) {
    if (check.when !== undefined) return undefined;
    if (check.check === "number_format" && check.format === "safeint") {
      tests.push(`Number.isSafeInteger(${x})`);
    } else if ((check.check === "greater_than" || check.check === "less_than") && typeof check.value === "number") {
      const operator = (check.check === "greater_than" ? ">" : "<") + (check.inclusive ? "=" : "");
      tests.push(`${x} ${operator} ${constant(check.value)}`);
    } else {
      return undefined;
    }
  }
  return tests.join(" && ");
}

function everyElement(check: FastCheck): (array: readonly unknown[]) => boolean {
  return (array) => {
    for (let i = 0; i < array.length; i++) if (!check(array[i])) return false;
    return true;
  };
}
