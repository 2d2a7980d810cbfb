/**
 * /thread model and /thread usage typed into the console channel of the whole bot on the fake gateway
 * (issue 13, h3). The console cannot press buttons: it shows them as hints and the model is typed.
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createConsoleChannel } from "../../../src/channels/console/console-channel.ts";
import { texts } from "../../../src/core/texts.ts";
import { startBot, until } from "../../core/support/bot-harness.ts";

describe("console: /thread model and /thread usage", () => {
  it("shows the models with button hints, sets one by name, refuses an unknown one and tells the usage", async () => {
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
    const typed = async (line: string, shows: string) => {
      input.write(`${line}\n`);
      await until(() => printed.includes(shows), `"${shows}" after ${line}`);
    };
    await typed("/thread usage", texts.noThreadHere);
    await typed("/thread Budget", 'Created thread "Budget"');
    await typed("/thread model", "[✓ Echo 1] [Echo 2]");
    await typed("/thread model gpt-9", texts.unknownModel("gpt-9"));
    await typed("/thread model Echo 2", 'Thread "Budget" now runs on fake/echo-2.');
    await typed("/thread usage", 'Thread "Budget" has not used any tokens yet.');
    expect(world.gw.requestsOf("sessions.patch").map((r) => (r.params as { model?: string }).model)).toEqual([
      "fake/echo-2",
    ]);
    input.end();
    await terminal.closed;
  });
});
