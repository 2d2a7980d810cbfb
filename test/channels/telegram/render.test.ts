import { GrammyError, HttpError } from "grammy";
import { describe, expect, it } from "vitest";
import { errorFields } from "../../../src/channels/telegram/errors.ts";
import { inlineKeyboard } from "../../../src/channels/telegram/outgoing.ts";
import { markdownToTelegramHtml, visibleLength } from "../../../src/channels/telegram/render.ts";
import { parseTelegramHtml } from "../../fakes/telegram/html.ts";

const SAMPLES = [
  "# Plan\n\nSome **bold**, _italic_, ~~gone~~ and `a<b>&c`.",
  "- [ ] todo\n- [x] done\n- item with **bold**\n  - nested\n    1. deep",
  "1. one\n2. two\n\n> quoted **text**\n> more",
  "```ts\nconst html = '<b>' + x && y;\n```",
  "| a | b |\n|---|---|\n| `1` | **2** |",
  '[ok](https://example.org?a=1&b=2 "title") [js](javascript:alert(1)) <https://auto.link> ![pic](https://e.x/p.png)',
  "<script>alert(1)</script> and <b>raw</b> & &amp; &copy; &#169;",
  "line one\nline two  \nhard break\n\n---\n\nafter rule",
  "Emoji 🙂 and 中文 and a trailing backslash \\",
  "**unclosed and _mixed",
];

describe("Markdown to Telegram HTML", () => {
  it.each(SAMPLES)("produces HTML that Telegram's parser accepts: %s", (markdown) => {
    const html = markdownToTelegramHtml(markdown);
    const parsed = parseTelegramHtml(html);
    expect(parsed).toMatchObject({ ok: true });
    if (parsed.ok) expect(visibleLength(html)).toBe(parsed.text.length);
  });

  it("maps constructs onto Telegram's tags and escapes the rest", () => {
    expect(markdownToTelegramHtml("**a** _b_ ~~c~~ `d`")).toBe("<b>a</b> <i>b</i> <s>c</s> <code>d</code>");
    expect(markdownToTelegramHtml("## Title")).toBe("<b>Title</b>");
    expect(markdownToTelegramHtml("```py\nprint(1 < 2)\n```")).toBe(
      '<pre><code class="language-py">print(1 &lt; 2)</code></pre>',
    );
    expect(markdownToTelegramHtml("<i>not ours</i>")).toBe("&lt;i&gt;not ours&lt;/i&gt;");
    expect(markdownToTelegramHtml("[x](javascript:alert(1))")).toBe("x");
    expect(markdownToTelegramHtml("- a\n- b")).toBe("• a\n• b");
  });
});

describe("Telegram adapter helpers", () => {
  it("packs buttons into short rows", () => {
    const buttons = ["1", "2", "3", "4"].map((n) => ({ label: `Page ${n}`, data: `p:${n}` }));
    expect(inlineKeyboard(buttons)?.inline_keyboard.map((row) => row.length)).toEqual([3, 1]);
    const long = [
      { label: "x".repeat(40), data: "a" },
      { label: "Stop", data: "b" },
    ];
    expect(inlineKeyboard(long)?.inline_keyboard.map((row) => row.length)).toEqual([1, 1]);
    expect(inlineKeyboard([])).toBeUndefined();
  });

  it("removes the token from logged errors", () => {
    const token = "7000000001:AAFakeTokenForTestsOnly_abcdefghijklmn";
    const network = new HttpError(
      "Network request for 'getUpdates' failed!",
      new Error(`request to http://127.0.0.1:1/bot${token}/getUpdates failed, reason: ECONNREFUSED`),
    );
    const api = new GrammyError(
      "Call failed",
      { ok: false, error_code: 400, description: "Bad Request: x" },
      "sendMessage",
      {},
    );
    for (const error of [network, api, new Error(`bot${token}`), `plain ${token}`]) {
      expect(JSON.stringify(errorFields(error, token))).not.toContain(token);
    }
    expect(JSON.stringify(errorFields(network, token))).toContain("ECONNREFUSED");
  });
});
