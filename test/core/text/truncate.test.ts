import { describe, expect, it } from "vitest";
import { truncate } from "../../../src/core/text/truncate.ts";

describe("truncate", () => {
  it.each([
    ["fits", 4, "", "fits"],
    ["exactly", 7, "…", "exactly"],
    ["abcdef", 3, "", "abc"],
    ["abcdef", 4, "…", "abc…"],
    ["abcdef", 1, "…", "…"],
    ["", 0, "", ""],
  ])("truncate(%j, %i, %j) → %j", (text, max, ellipsis, expected) => {
    expect(truncate(text, max, ellipsis)).toBe(expected);
  });

  it("never ends on the first half of a surrogate pair", () => {
    expect(truncate("ab🙂c", 3)).toBe("ab");
    expect(truncate("ab🙂c", 4)).toBe("ab🙂");
    expect(truncate("ab🙂cd", 4, "…")).toBe("ab…");
    expect(truncate("ab🙂cd", 5, "…")).toBe("ab🙂…");
    expect(truncate("🙂🙂", 1)).toBe("");
  });

  it("keeps every cut well-formed and within the limit", () => {
    const text = "x🙂".repeat(20);
    for (let max = 1; max <= text.length; max++) {
      for (const ellipsis of ["", "…"]) {
        const cut = truncate(text, max, ellipsis);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(cut.isWellFormed()).toBe(true);
        expect(text.startsWith(cut.slice(0, cut.length - (cut === text ? 0 : ellipsis.length)))).toBe(true);
      }
    }
  });

  it("refuses a limit the ellipsis does not fit in", () => {
    expect(() => truncate("abc", 1, "...")).toThrow(RangeError);
  });
});
