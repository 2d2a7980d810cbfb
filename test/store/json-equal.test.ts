import { describe, expect, it } from "vitest";
import { jsonEqual } from "../../src/store/json-equal.ts";

describe("jsonEqual", () => {
  it.each([
    [1, 1, true],
    [1, "1", false],
    [null, null, true],
    [null, {}, false],
    [[1, [2]], [1, [2]], true],
    [[1], [1, 2], false],
    [[], {}, false],
    [{ a: 1, b: { c: [true] } }, { b: { c: [true] }, a: 1 }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: 1, b: 2 }, { a: 1 }, false],
    [{ a: undefined }, { b: undefined }, false],
    [{ a: [] }, { a: [] }, true],
  ])("%j vs %j → %s", (a, b, equal) => {
    expect(jsonEqual(a, b)).toBe(equal);
    expect(jsonEqual(b, a)).toBe(equal);
  });
});
