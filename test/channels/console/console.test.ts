import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createConsoleChannel } from "../../../src/channels/console/console-channel.ts";
import { joinConsole, shareConsole } from "../../../src/channels/console/share.ts";
import type { AppPort, CommandInvocation, MessageInvocation } from "../../../src/core/app-port.ts";
import { silentLogger } from "../../../src/core/log.ts";
import { pngBytes, streamed } from "../support/files.ts";
import { openTerminal } from "./support/terminal.ts";

/** An AppPort that records what reached it and answers with where it came from. */
function recordingApp() {
  const seen: string[] = [];
  const app: AppPort = {
    commands: [],
    async handleCommand(i: CommandInvocation) {
      seen.push(`${i.place.conversation} /${i.name} ${i.text ?? ""}`.trim());
      return { text: `command ${i.name} in ${i.place.conversation}` };
    },
    async handleMessage(i: MessageInvocation) {
      seen.push(`${i.place.conversation} ${i.text}`);
      return undefined;
    },
    async handleAction() {
      return { text: "" };
    },
    async autocomplete() {
      return [];
    },
    async conversationMoved() {},
  };
  return { app, seen };
}

async function until(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !probe(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(probe()).toBe(true);
}

describe("console channel", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("reads commands and messages, and prints a growing answer in place", async () => {
    const { app, seen } = recordingApp();
    const terminals = createConsoleChannel({ app, user: "op" });
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    input.write("typed before start\n");
    const terminal = terminals.attach("main", input, output);
    terminal.start();
    input.write("/thread Budget Planning\nhello\n");
    await until(() => seen.length === 3);
    expect(seen).toEqual([
      "console:main typed before start",
      "console:main /thread Budget Planning",
      "console:main hello",
    ]);
    const id = await terminals.channel.send("console:main", { text: "ECHO:" });
    await terminals.channel.edit("console:main", id, { text: "ECHO: hello" });
    expect(printed).toContain("bot> ECHO: hello");
    await expect(terminals.channel.send("console:nobody", { text: "x" })).rejects.toThrow(/No terminal/);
    input.end();
    await terminal.closed;
  });

  it("lets a second terminal join over a private socket as its own conversation", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tk-console-"));
    dirs.push(dir);
    const { app, seen } = recordingApp();
    const terminals = createConsoleChannel({ app, user: "op" });
    const path = join(dir, "threads.json.console.sock");
    const server = await shareConsole({ path, console: terminals, logger: silentLogger });
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    input.write("/help\nfrom B\n");
    const joined = joinConsole({ path, conversation: "B", input, output });
    await until(() => seen.length === 2);
    expect(seen).toEqual(["console:B /help", "console:B from B"]);
    await until(() => printed.includes("command help in console:B"));
    input.end();
    expect(await joined).toBe(true);
    server?.close();
    expect(
      await joinConsole({ path: join(dir, "none.sock"), conversation: "C", input: new PassThrough(), output }),
    ).toBe(false);
  });

  it("saves a file the agent sends into its folder under a safe, unique name and says where", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tk-console-"));
    dirs.push(dir);
    const { app } = recordingApp();
    const terminal = openTerminal(app, undefined, { filesDir: join(dir, "files") });
    const { channel, printed } = terminal;
    // In pieces, as an export's file comes from its blob: written to disk as they come.
    const bytes = pngBytes(70);
    const chart = {
      kind: "image" as const,
      fileName: "chart.png",
      mimeType: "image/png",
      content: streamed(bytes, 16),
    };
    await channel.sendFile!("console:main", chart);
    await channel.sendFile!("console:main", chart);
    await channel.sendFile!("console:main", { ...chart, fileName: "../../.ssh/id.pub" });
    const saved = [join(dir, "files", "chart.png"), join(dir, "files", "chart-2.png"), join(dir, "files", "id.pub")];
    expect(printed()).toContain(`📎 saved chart.png (image/png, 70 B): ${saved[0]}\n`);
    expect(printed()).toContain(`📎 saved chart-2.png (image/png, 70 B): ${saved[1]}\n`);
    expect(printed()).toContain(`📎 saved id.pub (image/png, 70 B): ${saved[2]}\n`);
    expect(readdirSync(join(dir, "files")).sort()).toEqual(["chart-2.png", "chart.png", "id.pub"]);
    expect(readFileSync(saved[0]!)).toEqual(Buffer.from(bytes));
    expect(chart.content.opened).toBe(3);
    await expect(channel.sendFile!("console:nobody", chart)).rejects.toThrow(/No terminal/);
    expect(createConsoleChannel({ app, user: "op" }).channel.sendFile).toBeUndefined();
    await terminal.close();
  });
});
