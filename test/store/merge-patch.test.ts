import { describe, expect, it } from "vitest";
import { applyMergePatch, mergePatchInPlace } from "../../src/store/merge-patch.ts";

// RFC 7396, Appendix A: [target, patch, result].
const rfcExamples: Array<[unknown, unknown, unknown]> = [
  [{ a: "b" }, { a: "c" }, { a: "c" }],
  [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
  [{ a: "b" }, { a: null }, {}],
  [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
  [{ a: ["b"] }, { a: "c" }, { a: "c" }],
  [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
  [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
  [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
  [
    ["a", "b"],
    ["c", "d"],
    ["c", "d"],
  ],
  [{ a: "b" }, ["c"], ["c"]],
  [{ a: "foo" }, null, null],
  [{ a: "foo" }, "bar", "bar"],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: "b", c: null }, { a: "b" }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe("applyMergePatch (RFC 7396)", () => {
  it.each(rfcExamples)("merges %j with %j", (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toEqual(result);
  });

  it("does not mutate the target or the patch", () => {
    const target = { a: { b: 1, c: 2 }, d: [1] };
    const patch = { a: { b: null, e: 3 } };
    const before = structuredClone({ target, patch });
    const result = applyMergePatch(target, patch);
    expect({ target, patch }).toEqual(before);
    expect(result).toEqual({ a: { c: 2, e: 3 }, d: [1] });
    expect((result as typeof target).d).toBe(target.d); // untouched subtrees are shared
  });

  it("never changes a prototype through __proto__", () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const result = applyMergePatch({}, patch) as Record<string, unknown>;
    expect(result).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("mergePatchInPlace", () => {
  it.each(rfcExamples)("agrees with applyMergePatch on %j + %j", (target, patch, result) => {
    expect(mergePatchInPlace(structuredClone(target), patch)).toEqual(result);
  });

  it("mutates the target instead of copying it", () => {
    const target = { threads: { a: { n: 1 } } };
    const result = mergePatchInPlace(target, { threads: { b: { n: 2 } } });
    expect(result).toBe(target);
    expect(target.threads).toEqual({ a: { n: 1 }, b: { n: 2 } });
  });
});
