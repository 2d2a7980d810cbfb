import type { z } from "zod";
import { StoreStateSchema } from "../core/model.ts";
import { compileFastCheck, type FastCheck } from "./fast-check.ts";
import { isPlainObject } from "./merge-patch.ts";

/**
 * How a snapshot (file version 2) writes a record field (threads, bindings, …): as
 * columns, one array per schema field, plus the entry keys mapped to their index:
 *
 *     "bindings":{"keys":{"telegram:1":0,"discord:9:8":1},
 *     "slug":["budget","budget"],"boundAt":[1767225600000,1767225660000],"boundBy":["telegram:5","discord:5"]}
 *
 * `null` in a column means the entry has no such field, and `0` in a string column
 * means "the entry's key" (a thread's slug is its key). Why: version 1 wrote one
 * object per entry, and at 100,000 threads JSON.parse spent most of its time on
 * 400,000 small objects and their property names; a column parses as one array, and
 * the keys object still gives JSON.parse the record's dictionary to build, which it
 * does faster than JavaScript can. Entries are then built from the columns with one
 * object literal per combination of present fields, and each is run through the
 * compiled fast check in the same loop (see fast-check.ts); zod sees only entries
 * that fail it. Measured at 100,000 threads: bench/README.md, store.
 */

type Mutable = Record<string, unknown>;
type Build = (columns: readonly (readonly unknown[])[], index: number, key: string) => Mutable;

/** What the codec knows about one field of an entry. */
interface Field {
  name: string;
  /** Optional or defaulted: `null` in its column leaves it out of the entry. */
  omittable: boolean;
  /** A plain string: `0` in its column stands for the entry's key. */
  keyable: boolean;
}

/** The columns codec of one record field. */
export interface RecordCodec {
  /** The record field's name in the state. */
  name: string;
  fields: readonly Field[];
  /** Entry `index` of the columns, as an object with the fields in schema order. */
  build: Build;
  /** The entry schema, compiled (undefined: every entry goes through zod). */
  fast: FastCheck | undefined;
}

/** An entry that has more than this many omittable fields is built with assignments, not one literal per case. */
const MAX_CASE_BITS = 4;

/** The codec of a record whose entries are `schema` (a zod object). */
export function recordCodec(name: string, schema: z.ZodType): RecordCodec {
  const def = schema.def as { type: string; shape?: Record<string, z.ZodType> };
  if (def.type !== "object" || def.shape === undefined) throw new Error(`columns: "${name}" entries are not objects`);
  const fields = Object.entries(def.shape).map(([field, fieldSchema]) => fieldOf(name, field, fieldSchema));
  return { name, fields, build: buildFunction(fields), fast: compileFastCheck(schema) };
}

function fieldOf(record: string, name: string, schema: z.ZodType): Field {
  // Decoding maps `null` to "absent"; a field that may hold null could not round-trip.
  if (schema.safeParse(null).success) throw new Error(`columns: ${record}.${name} accepts null`);
  // In an object literal, "__proto__" would set the prototype instead of a field.
  if (name === "__proto__") throw new Error(`columns: ${record} has a field "__proto__"`);
  const def = schema.def as { type: string; innerType?: z.ZodType };
  const omittable = def.type === "optional" || def.type === "default";
  const inner = omittable ? def.innerType : schema;
  return { name, omittable, keyable: inner?.def.type === "string" };
}

/** Generated, like fast-check.ts: a literal per case gives every entry its final shape at once. */
function buildFunction(fields: readonly Field[]): Build {
  const reads = fields.map((field, i) =>
    field.keyable ? `const r${i} = c[${i}][i], v${i} = r${i} === 0 ? key : r${i};` : `const v${i} = c[${i}][i];`,
  );
  const omittable = fields.flatMap((field, i) => (field.omittable ? [i] : []));
  const literal = (present: (i: number) => boolean) =>
    `{${fields.flatMap((field, i) => (present(i) ? [`${JSON.stringify(field.name)}: v${i}`] : [])).join(", ")}}`;
  let body: string;
  if (omittable.length > MAX_CASE_BITS) {
    const adds = omittable.map((i) => `if (v${i} !== null) o[${JSON.stringify(fields[i]?.name)}] = v${i};`);
    body = `const o = ${literal((i) => !omittable.includes(i))};\n${adds.join("\n")}\nreturn o;`;
  } else {
    const mask = omittable.map((i, bit) => `(v${i} === null ? 0 : ${1 << bit})`).join(" | ") || "0";
    const cases = Array.from({ length: 1 << omittable.length }, (_, m) => {
      const absent = omittable.filter((_, bit) => (m & (1 << bit)) === 0);
      return `case ${m}: return ${literal((i) => !absent.includes(i))};`;
    });
    body = `switch (${mask}) {\n${cases.join("\n")}\n}\nthrow new Error("unreachable");`;
  }
  return new Function(`"use strict"; return (c, i, key) => {\n${reads.join("\n")}\n${body}\n};`)() as Build;
}

/** The codecs of the state's record fields, in schema order. */
export const recordCodecs: ReadonlyMap<string, RecordCodec> = new Map(
  Object.entries(StoreStateSchema.shape).flatMap(([name, schema]) =>
    schema.def.type === "record" ? [[name, recordCodec(name, (schema as z.ZodRecord).valueType as z.ZodType)]] : [],
  ),
);

/** A record decoded from columns. */
export interface DecodedRecord {
  record: Mutable;
  /** Every entry passed the fast check: zod would accept it unchanged. */
  checked: boolean;
  /** Entries. */
  size: number;
}

/**
 * Builds the record from its columns, in place of the keys object (whose dictionary
 * JSON.parse already built); a string names what is wrong with the layout. Entries
 * are only built here: whether they are valid is the caller's question (`checked`).
 */
export function decodeRecord(value: unknown, codec: RecordCodec): DecodedRecord | string {
  const where = `"${codec.name}"`;
  if (!isPlainObject(value) || !isPlainObject(value.keys)) return `${where} is not {"keys": {…}, <field>: […], …}`;
  const keys = value.keys;
  // JSON.parse makes "__proto__" an own key, which a later assignment could not replace.
  if (Object.hasOwn(keys, "__proto__")) return `${where} has the key "__proto__"`;
  const names = Object.keys(keys);
  const columns = columnsOf(value, codec, names.length);
  if (typeof columns === "string") return columns;
  const taken = new Uint8Array(names.length);
  const { build, fast } = codec;
  let checked = fast !== undefined;
  for (const name of names) {
    const index = keys[name];
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= names.length || taken[index]) {
      return `${where} key ${JSON.stringify(name)} has index ${JSON.stringify(index)}, not one of 0 to ${names.length - 1} used once`;
    }
    taken[index] = 1;
    const entry = build(columns, index, name);
    keys[name] = entry;
    if (checked && !(fast as FastCheck)(entry)) checked = false;
  }
  return { record: keys, checked, size: names.length };
}

/** The columns in field order, each as long as there are keys. */
function columnsOf(value: Mutable, codec: RecordCodec, count: number): unknown[][] | string {
  const where = `"${codec.name}"`;
  for (const name of Object.keys(value)) {
    if (name !== "keys" && !codec.fields.some((field) => field.name === name))
      return `${where} has an unknown column "${name}"`;
  }
  const columns: unknown[][] = [];
  for (const { name } of codec.fields) {
    const column = value[name];
    if (!Array.isArray(column)) return `${where} column "${name}" is missing`;
    if (column.length !== count) return `${where} column "${name}" has ${column.length} values for ${count} keys`;
    columns.push(column);
  }
  return columns;
}

/** What decodeColumns found. */
export interface DecodedColumns {
  /** The records whose entries all passed the fast check. */
  checked: ReadonlySet<string>;
  /** Entries per record. */
  sizes: ReadonlyMap<string, number>;
}

/**
 * Decodes every record field of a version 2 tree in place, or says what is wrong
 * with the layout. A missing record field is left to validation, which names it.
 */
export function decodeColumns(tree: Mutable): DecodedColumns | string {
  const checked = new Set<string>();
  const sizes = new Map<string, number>();
  for (const codec of recordCodecs.values()) {
    const value = tree[codec.name];
    if (value === undefined) continue;
    const decoded = decodeRecord(value, codec);
    if (typeof decoded === "string") return decoded;
    tree[codec.name] = decoded.record;
    sizes.set(codec.name, decoded.size);
    if (decoded.checked) checked.add(codec.name);
  }
  return { checked, sizes };
}

/** Column values are written this many at a time: pieces of a few hundred KB, never one 10 MB string. */
const SLICE = 1000;

/** Writes a record as columns (the text after `"<name>":`), lazily. */
export function* encodeRecord(record: Readonly<Mutable>, codec: RecordCodec): Generator<string> {
  const keys = Object.keys(record);
  yield '{"keys":{';
  for (let i = 0; i < keys.length; i++) yield `${i === 0 ? "\n" : ",\n"}${JSON.stringify(keys[i])}:${i}`;
  yield "}";
  const entries = keys.map((key) => record[key] as Readonly<Mutable>);
  for (const field of codec.fields) {
    yield `,\n${JSON.stringify(field.name)}:[`;
    for (let start = 0; start < keys.length; start += SLICE) {
      const values = entries.slice(start, start + SLICE).map((entry, i) => {
        const value = entry[field.name];
        if (value === undefined) return null;
        return field.keyable && value === keys[start + i] ? 0 : value;
      });
      const text = JSON.stringify(values);
      yield start === 0 ? text.slice(1, -1) : `,${text.slice(1, -1)}`;
    }
    yield "]";
  }
  yield "}";
}
