import { z } from "zod";
import { BotError, ErrorCode } from "../core/errors.ts";
import type { StoreState } from "../core/model.ts";
import { StoreStateSchema } from "../core/model.ts";
import { compileFastCheck, type FastCheck } from "./fast-check.ts";
import { jsonEqual } from "./json-equal.ts";
import { applyMergePatch, isPlainObject } from "./merge-patch.ts";

/**
 * StoreStateSchema applied piece by piece: each entry of a record field (threads,
 * bindings, …) is validated with the record's value schema, the other fields with
 * their own schema. The result is what `StoreStateSchema.parse` would return, but a
 * load never holds two copies of 100,000 threads, and an update validates only the
 * entries it touches.
 */

type Field = z.ZodType;
type Mutable = Record<string, unknown>;

const fieldSchemas: Readonly<Record<string, Field>> = StoreStateSchema.shape;

/** Key and value schemas of a record field. */
interface RecordSchemas {
  key: Field;
  value: Field;
  /** The key schema is a bare z.string(): every JSON key passes, so a load skips 100,000 checks. */
  anyKey: boolean;
  /** The value schema compiled: a load asks zod only about the entries this refuses. */
  fast: FastCheck | undefined;
}

function recordSchemasOf(schema: Field): RecordSchemas | undefined {
  if (!(schema instanceof z.ZodRecord)) return undefined;
  const key = schema.keyType as Field;
  const anyKey = key instanceof z.ZodString && (key.def.checks ?? []).length === 0;
  const value = schema.valueType as Field;
  return { key, value, anyKey, fast: compileFastCheck(value) };
}

/** The record fields' schemas, keyed by field name. */
const recordSchemas: ReadonlyMap<string, RecordSchemas> = new Map(
  Object.entries(fieldSchemas).flatMap(([name, schema]) => {
    const schemas = recordSchemasOf(schema);
    return schemas === undefined ? [] : [[name, schemas]];
  }),
);

/** At most this many issues are kept: one bad field repeated 100,000 times says nothing more. */
const MAX_ISSUES = 20;

/** Issues with their full paths, capped at MAX_ISSUES (the rest are only counted). */
export class IssueList {
  readonly items: z.core.$ZodIssue[] = [];
  more = 0;

  /** Adds issues, prefixing their paths. */
  add(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): void {
    for (const issue of issues) {
      if (this.items.length < MAX_ISSUES) this.items.push({ ...issue, path: [...prefix, ...issue.path] });
      else this.more++;
    }
  }

  /** True when nothing was added. */
  get empty(): boolean {
    return this.items.length === 0;
  }

  /** The issues as z.prettifyError prints them. */
  format(): string {
    const more = this.more > 0 ? `\n(and ${this.more} more issues)` : "";
    return z.prettifyError(new z.ZodError(this.items)) + more;
  }
}

/**
 * Validates a parsed file tree in place and returns it as the state, or the issues. An
 * entry that zod changes (a default added, an unknown key dropped) is replaced by zod's
 * output, so the result equals what StoreStateSchema.parse would return. The entries
 * of the records in `checked` already passed the fast check (columns.ts did it while
 * building them) and are not looked at again.
 */
export function validateState(
  raw: unknown,
  checked: ReadonlySet<string> = new Set(),
): { state: StoreState } | { issues: IssueList } {
  const issues = new IssueList();
  if (!isPlainObject(raw)) {
    issues.add(StoreStateSchema.safeParse(raw).error?.issues ?? []);
    return { issues };
  }
  const skeleton: Mutable = { ...raw };
  for (const [name, schemas] of recordSchemas) {
    const record = raw[name];
    if (!isPlainObject(record)) continue; // the skeleton check below reports it
    skeleton[name] = {};
    if (checked.has(name)) validateKeys(record, schemas, name, issues);
    else validateRecordInPlace(record, schemas, name, issues);
  }
  const top = StoreStateSchema.safeParse(skeleton);
  if (!top.success) issues.add(top.error.issues);
  if (!top.success || !issues.empty) return { issues };
  const state = top.data as Mutable;
  for (const name of recordSchemas.keys()) state[name] = raw[name];
  return { state: state as StoreState };
}

function validateKeys(record: Mutable, schemas: RecordSchemas, name: string, issues: IssueList): void {
  if (schemas.anyKey) return;
  for (const key of Object.keys(record)) {
    const keyResult = schemas.key.safeParse(key);
    if (!keyResult.success) issues.add(keyResult.error.issues, [name, key]);
  }
}

function validateRecordInPlace(record: Mutable, schemas: RecordSchemas, name: string, issues: IssueList): void {
  // JSON.parse makes "__proto__" an own key; assigning to it would set the prototype.
  Reflect.deleteProperty(record, "__proto__");
  for (const key of Object.keys(record)) {
    if (!schemas.anyKey) {
      const keyResult = schemas.key.safeParse(key);
      if (!keyResult.success) issues.add(keyResult.error.issues, [name, key]);
    }
    const entry = record[key];
    if (schemas.fast?.(entry)) continue;
    const result = schemas.value.safeParse(entry);
    if (!result.success) issues.add(result.error.issues, [name, key]);
    // Keep the parsed file's own object when zod's copy is the same (no default added,
    // nothing stripped): the copy then dies young instead of being promoted, which
    // makes a 100,000-thread load faster and smaller.
    else if (!jsonEqual(result.data, entry)) record[key] = result.data;
  }
}

/** A patch the schema refuses; nothing of it was applied. */
function rejected(problem: string, zodIssues: readonly z.core.$ZodIssue[] = [], prefix: PropertyKey[] = []): BotError {
  const issues = new IssueList();
  issues.add(zodIssues, prefix);
  const detail = issues.empty ? "" : `\n${issues.format()}`;
  return new BotError(ErrorCode.BadInput, `Store change refused: ${problem}${detail}`, {
    details: { issues: issues.items },
  });
}

/** One validated assignment (or, with `value` undefined, deletion) waiting for the whole patch to pass. */
interface Change {
  target: Mutable;
  key: string;
  value: unknown;
}

/**
 * Applies a merge patch to `state` in place, validating every entry it touches; all or
 * nothing. Touched entries are replaced by new objects, never mutated, so a reader that
 * holds an entry keeps a consistent (if older) view. Throws BotError(BAD_INPUT).
 */
export function applyValidatedPatch(state: StoreState, patch: unknown): void {
  if (!isPlainObject(patch)) throw rejected("a store patch must be a JSON object");
  const target = state as unknown as Mutable;
  const changes: Change[] = [];
  for (const name of Object.keys(patch)) {
    const schema = fieldSchemas[name];
    if (schema === undefined) throw rejected(`unknown field "${name}"`);
    const value = patch[name];
    const record = recordSchemas.get(name);
    if (record !== undefined && isPlainObject(value)) {
      patchRecord({ record: target[name] as Mutable, patch: value, schemas: record, name }, changes);
      continue;
    }
    const result = schema.safeParse(value === null ? undefined : applyMergePatch(target[name], value));
    if (!result.success) throw rejected(`invalid "${name}"`, result.error.issues, [name]);
    changes.push({ target, key: name, value: result.data });
  }
  for (const { target, key, value } of changes) {
    if (value === undefined) delete target[key];
    else target[key] = value;
  }
}

function patchRecord(
  { record, patch, schemas, name }: { record: Mutable; patch: Mutable; schemas: RecordSchemas; name: string },
  changes: Change[],
): void {
  for (const key of Object.keys(patch)) {
    if (key === "__proto__") continue;
    const entryPatch = patch[key];
    if (entryPatch === null) {
      changes.push({ target: record, key, value: undefined });
      continue;
    }
    const keyResult = schemas.key.safeParse(key);
    if (!keyResult.success) throw rejected(`invalid key in "${name}"`, keyResult.error.issues, [name, key]);
    const result = schemas.value.safeParse(applyMergePatch(record[key], entryPatch));
    if (!result.success) throw rejected(`invalid ${name} entry`, result.error.issues, [name, key]);
    changes.push({ target: record, key, value: result.data });
  }
}
