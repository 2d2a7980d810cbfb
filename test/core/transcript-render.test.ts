import { describe, expect, it } from "vitest";
import type { TranscriptRow } from "../../src/core/recap-export-port.ts";
import { exportFileName, planParts } from "../../src/core/threads/transcript-export.ts";
import { MAX_ROW_UNITS, partFrame, renderRow } from "../../src/core/threads/transcript-render.ts";

function row(fields: Partial<TranscriptRow>): TranscriptRow {
  return { role: "user", parts: [], raw: { role: "user" }, ...fields };
}

describe("transcript rendering", () => {
  it("a tool result whose output holds a code fence cannot close its block", () => {
    const text = "before\n```\nnot the end\n````\nafter";
    const md = renderRow("markdown", row({ role: "toolResult", toolName: "exec", parts: [{ kind: "text", text }] }));
    expect(md).toContain("<details><summary>Tool result: exec</summary>\n\n`````\n");
    expect(md).toContain(`${text}\n\`\`\`\`\`\n\n</details>`);
  });

  it("escapes a tool name into the summary, labels OpenClaw's own prompts and marks parts it cannot show", () => {
    const call = row({ role: "assistant", parts: [{ kind: "tool-call", name: "<b>x</b>", arguments: { a: 1 } }] });
    expect(renderRow("markdown", call)).toContain("<summary>Tool call: &lt;b&gt;x&lt;/b&gt;</summary>");
    const system = row({ senderIsOwner: false, parts: [{ kind: "text", text: "[System] go on" }] });
    expect(renderRow("markdown", system)).toMatch(/^### OpenClaw \(not written by the person\)\n\n\[System\] go on/);
    const image = row({ role: "assistant", parts: [{ kind: "other", type: "image" }] });
    expect(renderRow("markdown", image)).toBe("### Agent\n\n_[image]_\n\n");
  });

  it("json rows are the gateway's own, and each part is a whole JSON document", () => {
    const raw = { role: "user", content: "hi", __openclaw: { seq: 1 } };
    expect(renderRow("json", row({ raw }))).toBe(JSON.stringify(raw));
    const frame = partFrame("json", { name: 'a "b"', sessionKey: "agent:main:named:b", part: 2, parts: 3 });
    const doc = `${frame.prefix}${JSON.stringify(raw)}${frame.separator}${JSON.stringify(raw)}${frame.suffix}`;
    expect(JSON.parse(doc)).toEqual({
      thread: 'a "b"',
      sessionKey: "agent:main:named:b",
      part: 2,
      parts: 3,
      rows: [raw, raw],
    });
  });

  it("cuts a row longer than a file could hold, saying so", () => {
    const md = renderRow("markdown", row({ parts: [{ kind: "text", text: "x".repeat(MAX_ROW_UNITS + 10) }] }));
    expect(md.length).toBe(MAX_ROW_UNITS);
    expect(md.endsWith("(cut: this row is too long)\n\n")).toBe(true);
  });

  it("plans parts at row boundaries within the budget, a row over it alone in its part", () => {
    const frame = { prefix: "", separator: ",\n", suffix: "" };
    const pages = [
      { blob: "a", rowBytes: [40, 40, 40] },
      { blob: "b", rowBytes: [150, 10] },
    ];
    expect(planParts(pages, 100, frame)).toEqual([2, 1, 1, 1]);
    expect(exportFileName("x", "markdown", 2, 4)).toBe("thread-x-part-2-of-4.md");
    expect(exportFileName("x", "json", 1, 1)).toBe("thread-x.json");
  });
});
