import { describe, expect, it } from "vitest";
import { isBotError } from "../../../src/core/errors.ts";
import { isSlug, parseThreadName, slugify } from "../../../src/core/keys/thread-slug.ts";

describe("slugify (ARCHITECTURE.md §3)", () => {
  it.each([
    ["Budget Planning", "budget-planning"],
    ["budget_planning", "budget-planning"],
    ["BUDGET-PLANNING", "budget-planning"],
    ["  budget   planning  ", "budget-planning"],
    ["budget.planning/q3", "budget-planning-q3"],
    ["Budget -- Planning!!", "budget-planning"],
    ["ｂｕｄｇｅｔ　ｐｌａｎｎｉｎｇ", "budget-planning"],
    ["agent:other:x", "agentotherx"],
    ["../x", "x"],
    ["a:b", "ab"],
    ["Crème brûlée", "crme-brle"],
  ])("%j → %j", (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it("pins the hashed slug of a name with no Latin letters or digits", () => {
    expect(slugify("Бюджет")).toBe("t-4zsuewmfvc");
    expect(slugify("бюджет")).toBe(slugify("Бюджет"));
    expect(slugify("🚀🚀")).toMatch(/^t-[a-z2-7]{10}$/);
    expect(slugify("🚀🚀")).not.toBe(slugify("🚀"));
  });

  it("caps slugs at 63 characters without a trailing dash", () => {
    const slug = slugify(`${"a".repeat(62)} b`);
    expect(slug.length).toBeLessThanOrEqual(63);
    expect(slug.endsWith("-")).toBe(false);
    expect(isSlug(slug)).toBe(true);
  });

  it("always produces a slug of slug shape", () => {
    for (const name of ["x", "-x-", "A_B", "日本語", "💬 chat", "a".repeat(300)])
      expect(isSlug(slugify(name))).toBe(true);
  });
});

describe("parseThreadName", () => {
  const refused = (name: string) => {
    try {
      parseThreadName(name);
    } catch (error) {
      expect(isBotError(error)).toBe(true);
      return (error as Error).message;
    }
    throw new Error(`accepted ${name}`);
  };

  it("keeps the display name as typed, trimmed", () => {
    expect(parseThreadName("  Budget Planning ")).toEqual({ display: "Budget Planning", slug: "budget-planning" });
  });

  it("refuses empty, reserved, too long and control-character names with one line", () => {
    for (const name of [
      "",
      "   ",
      "main",
      "ALL",
      "Help",
      "new",
      "off",
      "none",
      "list",
      "x".repeat(101),
      "bad\u0007name",
      "a\u202eb",
    ]) {
      expect(refused(name)).not.toContain("\n");
    }
    expect(parseThreadName("x".repeat(100)).slug).toBe("x".repeat(63));
  });

  it("accepts emoji-only and non-Latin names with their stable hashed slug", () => {
    expect(parseThreadName("🚀").slug).toMatch(/^t-/);
    expect(parseThreadName("Бюджет").slug).toBe("t-4zsuewmfvc");
  });
});
