import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { prng } from "../../bench/lib/seed.ts";
import { StoreStateSchema } from "../../src/core/model.ts";
import { compileFastCheck } from "../../src/store/fast-check.ts";
import { jsonEqual } from "../../src/store/json-equal.ts";
import { makeBinding, makeThread } from "./helpers.ts";

/**
 * The fast check must say yes exactly when zod accepts a value and returns it
 * unchanged; a wrong yes would let an invalid or incomplete entry into the store.
 */

/** What zod says, in the fast check's terms. */
function zodSays(schema: z.ZodType, value: unknown): boolean {
  const result = schema.safeParse(value);
  return result.success && jsonEqual(result.data, value);
}

const ODD_VALUES: readonly unknown[] = [
  ...[null, true, false, "", "x", "idle", "done", "resume", "telegram:1", "0", "-1"],
  ...[0, -0, 1, -1, 1.5, 2 ** 31, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 1767225600000, 1e308, -1e-7],
  ...[[], [1], ["a"], {}, { name: "x", at: 1 }, { label: "a", data: "b" }, [{ name: "x", at: 1 }]],
];

/** A JSON value near `value`: one change somewhere inside it, or several. */
function mutate(value: unknown, random: () => number, depth = 0): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  if (depth > 0 && random() < 0.3) return structuredClone(pick(ODD_VALUES));
  if (Array.isArray(value)) {
    const copy = [...value];
    if (copy.length > 0 && random() < 0.5)
      copy[Math.floor(random() * copy.length)] = mutate(pick(copy), random, depth + 1);
    else if (random() < 0.5) copy.push(structuredClone(pick(ODD_VALUES)));
    else copy.pop();
    return copy;
  }
  if (typeof value !== "object" || value === null) return structuredClone(pick(ODD_VALUES));
  const copy: Record<string, unknown> = { ...value };
  const keys = Object.keys(copy);
  const roll = random();
  if (roll < 0.2 && keys.length > 0) delete copy[pick(keys)];
  else if (roll < 0.3) copy[pick(["extra", "__proto__", "toString", "slug", "args"])] = pick(ODD_VALUES);
  else if (keys.length > 0) {
    const key = pick(keys);
    copy[key] = mutate(copy[key], random, depth + 1);
  }
  return random() < 0.3 ? mutate(copy, random, depth) : copy;
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/store-v1.snapshot", import.meta.url), "utf8"));

const approval = {
  ...{ id: "a-1", slug: "budget", conversation: "telegram:1", buttonId: "b1", text: "run ls?" },
  ...{ allowed: ["allow-once", "deny"], createdAt: 1, expiresAt: 2, state: "pending" },
};

const confirmation = {
  ...{ id: "c-1", kind: "reset", slug: "budget", sessionKey: "agent:main:named:budget" },
  ...{ conversation: "telegram:1", askedBy: "telegram:1", createdAt: 1, expiresAt: 2, state: "open" },
};

/** Valid entries of each record field, to mutate from. */
function samples(name: string): unknown[] {
  const own = Object.values((fixture[name] ?? {}) as Record<string, unknown>);
  if (name === "threads") return [...own, makeThread(1), makeThread(2, { label: undefined })];
  if (name === "bindings") return [...own, makeBinding(1)];
  if (name === "approvals") return [...own, approval, { ...approval, requester: "telegram:1", state: "deny" }];
  if (name === "aliases") return [{ slug: "budget", createdAt: 1 }];
  if (name === "telegramUpdates")
    return [
      { update: { update_id: 7, message: { text: "hi", chat: { id: 1 } } }, receivedAt: 1 },
      { receivedAt: 1, doneAt: 2 },
    ];
  if (name === "confirmations")
    return [confirmation, { ...confirmation, kind: "delete", state: "acting", space: "telegram:-100" }];
  return own;
}

const records = Object.entries(StoreStateSchema.shape).flatMap(([name, schema]) => {
  const inner = schema instanceof z.ZodDefault ? schema.def.innerType : schema;
  return inner instanceof z.ZodRecord ? [{ name, schema: inner.valueType as z.ZodType }] : [];
});

/** A tree of nodes: zod allows recursion through getters. */
const recursive: z.ZodType = z.object({
  name: z.string(),
  get children() {
    return z.array(recursive);
  },
});

describe("compileFastCheck", () => {
  it("compiles the entry schema of every record field of the store", () => {
    expect(records.map((r) => r.name)).toEqual(expect.arrayContaining(["threads", "bindings", "checkpoints"]));
    for (const { name, schema } of records) expect(compileFastCheck(schema), name).toBeTypeOf("function");
  });

  it.each(records)("agrees with zod on 3,000 values near valid $name entries", ({ name, schema }) => {
    const check = compileFastCheck(schema);
    const base = samples(name);
    if (check === undefined || base.length === 0) throw new Error(`${name}: nothing to test`);
    const random = prng(name.length * 7919);
    const verdicts = { yes: 0, no: 0 };
    for (let i = 0; i < 3_000; i++) {
      const sample = base[i % base.length];
      const value = i < base.length ? sample : mutate(JSON.parse(JSON.stringify(sample)), random);
      const expected = zodSays(schema, value);
      if (check(value) !== expected) expect.fail(`${name}: zod says ${expected} for ${JSON.stringify(value)}`);
      verdicts[expected ? "yes" : "no"]++;
    }
    expect(verdicts.yes).toBeGreaterThan(base.length); // some mutations keep an entry valid
    expect(verdicts.no).toBeGreaterThan(1_000);
  });

  it("says yes to every entry of a store file as the bot writes it", () => {
    for (const { name, schema } of records) {
      const check = compileFastCheck(schema);
      for (const entry of samples(name)) expect(check?.(entry), `${name} ${JSON.stringify(entry)}`).toBe(true);
    }
  });

  it("agrees with zod on the constructs it compiles", () => {
    const schemas: z.ZodType[] = [
      z.object({ a: z.number().gt(0).lt(10), b: z.number().lte(5).optional() }),
      z.object({ n: z.number().int().positive(), s: z.string().optional() }),
      z.object({ i: z.int(), j: z.int().nonnegative().optional() }),
      z.strictObject({ k: z.enum(["a", "b"]), l: z.literal([1, "one"]), m: z.boolean() }),
      z.object({ list: z.array(z.object({ x: z.string() })).default([]), u: z.unknown().optional() }),
      z.array(z.number()),
      z.string(),
    ];
    const values: unknown[] = [
      ...[
        { a: 5 },
        { a: 0 },
        { a: 10 },
        { a: 9.5, b: 5 },
        { a: 1, b: 6 },
        { n: 1 },
        { n: 0 },
        { n: 2.5 },
        { n: 3, s: 1 },
      ],
      ...[
        { k: "a", l: 1, m: true },
        { k: "c", l: 1, m: true },
        { k: "b", l: "one", m: false, x: 1 },
        { k: "a", l: 2 },
      ],
      ...[{ list: [] }, {}, { list: [{ x: "y" }], u: null }, { list: [{ x: 1 }] }, { list: [{ x: "y", z: 1 }] }],
      ...[{ i: 1 }, { i: 2 ** 53 }, { i: 1.5 }, { i: 0, j: -1 }, { i: 0, j: 3 }, { i: 0, j: undefined }],
      ...[[], [1, 2.5], [1, "2"], "s", 1, null, undefined, { a: 1, b: undefined }],
    ];
    for (const schema of schemas) {
      const check = compileFastCheck(schema);
      expect(check).toBeTypeOf("function");
      for (const value of values) expect(check?.(value), JSON.stringify(value)).toBe(zodSays(schema, value));
    }
  });

  it("passes a loose object's other keys through as zod does, except an own __proto__", () => {
    const schema = z.looseObject({ a: z.string() });
    const check = compileFastCheck(schema);
    for (const text of ['{"a":"x","b":{"c":[1]}}', '{"a":1,"b":2}', '{"b":2}', '{"a":"x","__proto__":{"b":1}}']) {
      const value = JSON.parse(text);
      const parsed = schema.safeParse(value);
      expect(check?.(value), text).toBe(parsed.success && isDeepStrictEqual(parsed.data, value));
    }
  });

  it("leaves to zod what it does not restate", () => {
    const unsupported: z.ZodType[] = [
      z.string().min(1),
      z.int32(),
      z.email(),
      z.number().multipleOf(2),
      z.object({ a: z.string() }).refine((v) => v.a !== ""),
      z.object({ a: z.string() }).catchall(z.string()),
      z.object({ a: z.string().nullable() }),
      z.object({ a: z.string().transform((s) => s.length) }),
      z.object({ a: z.string().default("x").optional() }),
      z.union([z.string(), z.number()]),
      z.object({ a: z.coerce.number() }),
      recursive,
    ];
    for (const schema of unsupported) expect(compileFastCheck(schema)).toBeUndefined();
  });
});
