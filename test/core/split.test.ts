import { describe, expect, it } from "vitest";
import { splitMessage } from "../../src/core/turns/split.ts";

const FENCE = /^ {0,3}(```|~~~)/;

/** Every chunk opens and closes its fences (an even number of fence lines). */
function fencesBalanced(chunk: string): boolean {
  return chunk.split("\n").filter((line) => FENCE.test(line)).length % 2 === 0;
}

describe("splitMessage", () => {
  it("keeps short text whole", () => {
    expect(splitMessage("hello", 4096)).toEqual(["hello"]);
  });

  it("splits 10,000 characters at line breaks, none over the limit, text intact", () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${"x".repeat(40)}`);
    const text = lines.join("\n");
    const chunks = splitMessage(text, 4096);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(4096);
    expect(chunks.join("\n")).toBe(text);
  });

  it("falls back to spaces, then to a hard cut that never splits a surrogate pair", () => {
    const words = Array.from({ length: 300 }, () => "word").join(" ");
    const chunks = splitMessage(words, 100);
    expect(chunks.join(" ")).toBe(words);
    const emoji = "😀".repeat(3000);
    const hard = splitMessage(emoji, 2000);
    for (const chunk of hard) {
      expect(chunk.length).toBeLessThanOrEqual(2000);
      expect(/^[\uDC00-\uDFFF]/.test(chunk)).toBe(false);
      expect(/[\uD800-\uDBFF]$/.test(chunk)).toBe(false);
    }
    expect(hard.join("")).toBe(emoji);
  });

  it("never leaves a code block split open (6,000 chars with a code block, Discord's 2000)", () => {
    const code = Array.from({ length: 120 }, (_, i) => `const v${i} = ${i}; // ${"c".repeat(20)}`).join("\n");
    const text = `Intro ${"p".repeat(500)}\n\n\`\`\`ts\n${code}\n\`\`\`\n\nOutro ${"q".repeat(800)}`;
    expect(text.length).toBeGreaterThan(5000);
    const chunks = splitMessage(text, 2000);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(2000);
      expect(fencesBalanced(chunk)).toBe(true);
    }
    expect(chunks.slice(1).some((chunk) => chunk.startsWith("```ts\n"))).toBe(true);
    // Without the added fences, the code is all there in order.
    const joined = chunks.join("\n").replace(/\n```\n```ts\n/g, "\n");
    for (let i = 0; i < 120; i++) expect(joined).toContain(`const v${i} = ${i};`);
  });
});
