import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createConsoleChannel } from "../../../src/channels/console/console-channel.ts";
import { startBot, until } from "../../core/support/bot-harness.ts";

describe("console subcommands with the real core", () => {
  it("typed /thread open, /thread show, /thread off and a reserved name each get their answer", async () => {
    const world = await startBot();
    const terminals = createConsoleChannel({ app: world.bot.app, user: "op" });
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    const terminal = terminals.attach("main", input, output);
    terminal.start();
    input.write("/thread open Budget\n/thread SHOW\n/thread open off\n/thread off\n/help\n");
    await until(() => printed.includes("/thread off — "), "the /help answer");
    expect(printed).toContain('Created thread "Budget" (budget) here.');
    expect(printed).toContain('Thread "Budget" (budget): idle.');
    expect(printed).toContain('"off" is reserved; pick another thread name.');
    expect(printed).toContain('Unbound "Budget" from this conversation.');
    expect(world.store.state.bindings["console:main"]).toBeUndefined();
    input.end();
    await terminal.closed;
    await terminals.stop();
  });
});
