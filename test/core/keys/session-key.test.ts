import { describe, expect, it } from "vitest";
import {
  canonicalSessionKey,
  decodeSessionKey,
  encodeRootSessionKey,
  encodeSessionKey,
  isRootSessionKey,
  sameSessionKey,
} from "../../../src/core/keys/session-key.ts";
import { slugify } from "../../../src/core/keys/thread-slug.ts";

describe("session key codec", () => {
  it.each([
    [{ agentId: "main", slug: "budget-planning" }, "agent:main:named:budget-planning"],
    [{ agentId: "ops_2", slug: "t-4zsuewmfvc" }, "agent:ops_2:named:t-4zsuewmfvc"],
  ])("round-trips %j ↔ %s", (parts, key) => {
    expect(encodeSessionKey(parts)).toBe(key);
    expect(decodeSessionKey(key)).toEqual(parts);
  });

  it("never builds a :thread: or raw key", () => {
    for (const name of ["thread", "a:thread:b", "Thread Budget", "agent:main:thread:x"]) {
      const key = encodeSessionKey({ agentId: "main", slug: slugify(name) });
      expect(key.startsWith("agent:main:named:")).toBe(true);
      expect(key).not.toContain(":thread:");
      expect(key.split(":")).toHaveLength(4);
    }
  });

  it("refuses invalid parts", () => {
    expect(() => encodeSessionKey({ agentId: "Main", slug: "x" })).toThrow();
    expect(() => encodeSessionKey({ agentId: "main", slug: "Bad Slug" })).toThrow();
    expect(() => encodeSessionKey({ agentId: "main", slug: "a:b" })).toThrow();
  });

  it("decodes only thread keys, in canonical form", () => {
    expect(decodeSessionKey("AGENT:Main:Named:Budget")).toEqual({ agentId: "main", slug: "budget" });
    expect(decodeSessionKey("agent:main:dashboard:123")).toBeUndefined();
    expect(decodeSessionKey("budget")).toBeUndefined();
  });

  it("compares keys in canonical form", () => {
    expect(canonicalSessionKey(" Agent:Main:Named:X ")).toBe("agent:main:named:x");
    expect(sameSessionKey("agent:main:named:x", "AGENT:MAIN:NAMED:X")).toBe(true);
  });

  it("pins the root session key", () => {
    expect(encodeRootSessionKey("main")).toBe("agent:main:threadkeeper:root");
    expect(isRootSessionKey("agent:main:threadkeeper:root")).toBe(true);
    expect(isRootSessionKey("agent:main:named:root")).toBe(false);
  });
});

describe("the key-split regression (one name, one key, from anywhere)", () => {
  it("maps every spelling of a name to exactly one canonical key", () => {
    const spellings = [
      "Budget Planning",
      "budget_planning",
      "BUDGET-PLANNING",
      " budget  planning ",
      "Budget.Planning",
      "budget/planning",
      "ＢＵＤＧＥＴ ＰＬＡＮＮＩＮＧ",
    ];
    const keys = new Set(spellings.map((name) => encodeSessionKey({ agentId: "main", slug: slugify(name) })));
    expect([...keys]).toEqual(["agent:main:named:budget-planning"]);
  });
});
