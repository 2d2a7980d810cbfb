import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { StoreState } from "../../src/core/model.ts";
import { decodeColumns, decodeRecord, encodeRecord, recordCodec, recordCodecs } from "../../src/store/columns.ts";
import { STORE_VERSION } from "../../src/store/migrations.ts";
import { serializeSnapshot } from "../../src/store/snapshot-file.ts";
import { makeThread } from "./helpers.ts";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/store-v1.snapshot", import.meta.url), "utf8"));
const { logSeq: _, ...fixtureState } = fixture as { logSeq: number } & StoreState;

/** The snapshot text the store would write for `state`, parsed and decoded again. */
function roundTrip(state: StoreState): Record<string, unknown> {
  const text = [...serializeSnapshot({ logSeq: 7, state }, { version: STORE_VERSION, codecs: recordCodecs })].join("");
  const tree = JSON.parse(text) as Record<string, unknown>;
  expect(tree).toMatchObject({ version: STORE_VERSION, logSeq: 7 });
  const decoded = decodeColumns(tree);
  if (typeof decoded === "string") throw new Error(decoded);
  for (const name of recordCodecs.keys()) expect(decoded.checked.has(name), name).toBe(true);
  const { logSeq: _seq, version: _version, ...rest } = tree;
  return rest;
}

/** Deep equality, and every record's keys in the same order. */
function expectSameState(actual: Record<string, unknown>, state: StoreState): void {
  const { version: _version, ...expected } = state;
  expect(actual).toEqual(expected);
  for (const name of recordCodecs.keys()) {
    expect(Object.keys(actual[name] as object)).toEqual(Object.keys(state[name as keyof StoreState] as object));
  }
}

describe("records as columns", () => {
  it("round-trips a store written by the version 1 store", () => {
    expectSameState(roundTrip(fixtureState), fixtureState);
  });

  it("round-trips keys of every kind, absent fields, and slugs that are not their key", () => {
    const state = structuredClone(fixtureState);
    state.threads = {
      "42": makeThread(42, { slug: "42" }), // an integer-like key, which objects list first
      "Бюджет 🚀": makeThread(1, { slug: "Бюджет 🚀", label: 'x\n"y"' }),
      "not-its-slug": makeThread(2, { slug: "other" }),
      "": makeThread(3, { slug: "" }),
      "no-label": { ...makeThread(4, { slug: "no-label" }), label: undefined } as never,
    };
    delete state.threads["no-label"]?.label;
    const decoded = roundTrip(state);
    expectSameState(decoded, state);
    expect(Object.keys((decoded.threads as StoreState["threads"])["no-label"] ?? {})).not.toContain("label");
  });

  it("writes a slug equal to its key as 0, and nothing else", () => {
    const text = [...encodeRecord(fixtureState.threads, recordCodecs.get("threads")!)].join("");
    expect(text).toContain('"slug":[0,0]');
    expect(text).toContain('"parentSessionKey":[null,"agent:main:threadkeeper:root"]');
    const bindings = [...encodeRecord(fixtureState.bindings, recordCodecs.get("bindings")!)].join("");
    expect(bindings).toContain('"slug":["budget-planning","t-3f9a1c"]');
  });

  it("builds entries with more omittable fields than it writes cases for", () => {
    const schema = z.object({
      k: z.string(),
      ...Object.fromEntries("abcdef".split("").map((f) => [f, z.number().optional()])),
    });
    const codec = recordCodec("many", schema);
    const record = { x: { k: "x", a: 1, f: 6 }, y: { k: "y" }, z: { k: "0", a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 } };
    const decoded = decodeRecord(JSON.parse(`{${[...encodeRecord(record, codec)].join("").slice(1)}`), codec);
    expect(decoded).toMatchObject({ record, checked: true, size: 3 });
  });

  it("hands entries the fast check refuses to validation (checked: false)", () => {
    const codec = recordCodecs.get("bindings")!;
    const value = { keys: { a: 0, b: 1 }, slug: ["s", null], boundAt: [1, -5], boundBy: ["x", "y"] };
    expect(decodeRecord(value, codec)).toMatchObject({
      checked: false,
      record: { a: { slug: "s", boundAt: 1, boundBy: "x" }, b: { slug: null, boundAt: -5, boundBy: "y" } },
    });
  });

  it("refuses a field that accepts null, which a column could not tell from an absent one", () => {
    expect(() => recordCodec("x", z.object({ a: z.string().nullable() }))).toThrow(/x\.a accepts null/);
  });
});

describe("a layout that is not columns", () => {
  const codec = recordCodecs.get("bindings")!;
  const good = () => ({ keys: { a: 0, b: 1 }, slug: ["s", "t"], boundAt: [1, 2], boundBy: ["x", "y"] });
  const cases: [string, (value: ReturnType<typeof good>) => unknown, string][] = [
    ["entries as objects (version 1)", () => ({ a: { slug: "s", boundAt: 1, boundBy: "x" } }), "is not {"],
    ["no keys", ({ keys: _, ...rest }) => rest, "is not {"],
    ["a short column", (v) => ({ ...v, slug: ["s"] }), 'column "slug" has 1 values for 2 keys'],
    ["a missing column", ({ boundBy: _, ...rest }) => rest, 'column "boundBy" is missing'],
    ["an unknown column", (v) => ({ ...v, color: ["red", "blue"] }), 'unknown column "color"'],
    ["an index twice", (v) => ({ ...v, keys: { a: 1, b: 1 } }), 'key "b" has index 1, not one of 0 to 1 used once'],
    ["an index too large", (v) => ({ ...v, keys: { a: 0, b: 2 } }), 'key "b" has index 2'],
    ["an index that is not a number", (v) => ({ ...v, keys: { a: "0", b: 1 } }), 'key "a" has index "0"'],
    ["a __proto__ key", (v) => JSON.parse(JSON.stringify(v).replace('"a":0', '"__proto__":0')), 'the key "__proto__"'],
  ];

  it.each(cases)("%s", (_name, edit, problem) => {
    expect(decodeRecord(good(), codec)).toMatchObject({ checked: true, size: 2 });
    expect(decodeRecord(edit(good()), codec)).toContain(problem);
  });

  it("names the record in the problem", () => {
    expect(decodeColumns({ bindings: { keys: {} }, threads: [] })).toMatch(/^"threads" is not/);
  });
});
