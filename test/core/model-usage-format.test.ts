import { describe, expect, it } from "vitest";
import { isBotError } from "../../src/core/errors.ts";
import {
  dollars,
  findModel,
  modelButton,
  parseModelPress,
  pressMatches,
  usageText,
} from "../../src/core/threads/model-usage-format.ts";

const CATALOG = [
  { provider: "anthropic", id: "claude-sonnet-4-5", name: "Claude Sonnet 4.5" },
  { provider: "openrouter", id: "claude-sonnet-4-5", name: "Sonnet via OpenRouter" },
  { provider: "openai", id: "gpt-5", name: "GPT-5" },
];

describe("model names", () => {
  it("finds provider/id, a unique id or a unique name, in any case; undefined for none", () => {
    expect(findModel(CATALOG, "OpenAI/GPT-5")?.id).toBe("gpt-5");
    expect(findModel(CATALOG, " gpt-5 ")?.provider).toBe("openai");
    expect(findModel(CATALOG, "claude sonnet 4.5")?.provider).toBe("anthropic");
    expect(findModel(CATALOG, "openrouter/claude-sonnet-4-5")?.provider).toBe("openrouter");
    expect(findModel(CATALOG, "gpt-9")).toBeUndefined();
  });

  it("refuses an id two providers share, naming both", () => {
    try {
      findModel(CATALOG, "claude-sonnet-4-5");
      expect.unreachable();
    } catch (error) {
      expect(isBotError(error, "BAD_INPUT")).toBe(true);
      expect(String((error as Error).message)).toContain("anthropic/claude-sonnet-4-5, openrouter/claude-sonnet-4-5");
    }
  });
});

describe("usage words", () => {
  it("writes tokens with separators and costs to the cent above a dollar, to 1/100 cent below", () => {
    expect(
      usageText({ input: 1000, output: 234, cacheRead: 0, cacheWrite: 0, totalTokens: 1234, costUsd: 0.02584 }),
    ).toBe("1,234 tokens, $0.0258");
    expect(usageText({ input: 1, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 1 })).toBe("1 token");
    expect(dollars(12.345)).toBe("$12.35");
  });
});

describe("model buttons", () => {
  it("fit Telegram's 64 bytes, parse back, and match only their asker, thread and model", () => {
    const button = modelButton(CATALOG[1] ?? CATALOG[0]!, {
      asker: "telegram:123456789",
      slug: "x".repeat(63),
      current: true,
    });
    expect(button.label).toBe("✓ Sonnet via OpenRouter");
    expect(Buffer.byteLength(button.data)).toBeLessThanOrEqual(64);
    const press = parseModelPress(button.data);
    if (!press) throw new Error("not parsed");
    expect(pressMatches.asker(press, "telegram:123456789")).toBe(true);
    expect(pressMatches.asker(press, "telegram:987654321")).toBe(false);
    expect(pressMatches.thread(press, "x".repeat(63))).toBe(true);
    expect(pressMatches.thread(press, "other")).toBe(false);
    expect(CATALOG.filter((c) => pressMatches.model(press, c)).map((c) => c.provider)).toEqual(["openrouter"]);
    for (const data of ["tk:model:short", "tk:page:1:", "tk:model:aaaaaaaa:bbbbbbbb:ccccccccc"]) {
      expect(parseModelPress(data)).toBeUndefined();
    }
  });
});
