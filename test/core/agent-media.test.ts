import { describe, expect, it } from "vitest";
import { quiet, startBot, until } from "./support/bot-harness.ts";

const A = "console:a";
const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489", "hex");
const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "latin1");

describe("files from the agent", () => {
  it("an image and a PDF the agent sends are shown natively after the text, once each, with their bytes", async () => {
    const world = await startBot();
    await world.command(A, "/thread charts");
    world.gw.model.next({
      text: "Here is the chart and the report.",
      media: [
        { fileName: "chart.png", mimeType: "image/png", bytes: PNG },
        { fileName: "report.pdf", mimeType: "application/pdf", bytes: PDF },
      ],
    });
    await world.message(A, "send the chart");
    await until(() => world.shown(A, "📎 report.pdf")[0], "the report", 5_000);
    await quiet(world);
    const messages = world.console.in(A);
    expect(messages.map((m) => m.text)).toEqual(["Here is the chart and the report.", "📎 chart.png", "📎 report.pdf"]);
    expect(messages[1]?.file).toMatchObject({ kind: "image", mimeType: "image/png", bytes: PNG });
    expect(messages[2]?.file).toMatchObject({ kind: "file", mimeType: "application/pdf", bytes: PDF });
    // Fetched with the token, once each.
    expect(world.gw.media.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it("a file over what the channel can show gets one line instead, and the text is never held back", async () => {
    const world = await startBot();
    await world.command(A, "/thread big");
    const huge = Buffer.alloc(11 * 1024 * 1024, 1);
    world.gw.model.next({
      text: "Too big.",
      media: [{ fileName: "huge.bin", mimeType: "application/zip", bytes: huge }],
    });
    await world.message(A, "send it");
    await until(() => world.shown(A, /huge\.bin/)[0], "the line", 5_000);
    expect(world.console.in(A).map((m) => m.text)).toEqual([
      "Too big.",
      "📎 The agent sent huge.bin (11 MB), which is over the 10 MB this chat can show.",
    ]);
    expect(world.gw.media.requests).toEqual([]);
  });

  it("a reply without files fetches nothing and reads no extra transcript", async () => {
    const world = await startBot();
    await world.command(A, "/thread plain");
    await world.message(A, "hello");
    await world.says(A, "ECHO: hello");
    await quiet(world);
    expect(world.gw.media.requests).toEqual([]);
    expect(world.console.in(A).map((m) => m.text)).toEqual(["ECHO: hello"]);
  });
});
