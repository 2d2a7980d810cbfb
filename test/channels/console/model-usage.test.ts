/**
 * /thread model and /thread usage typed into the console channel of the whole bot on the fake gateway
 * (issue 13, h3). The console cannot press buttons: it shows them as hints and the model is typed.
 */
import { describe, expect, it } from "vitest";
import { texts } from "../../../src/core/texts.ts";
import { startBot } from "../../core/support/bot-harness.ts";
import { openTerminal } from "./support/terminal.ts";

describe("console: /thread model and /thread usage", () => {
  it("shows the models with button hints, sets one by name, refuses an unknown one and tells the usage", async () => {
    const world = await startBot();
    const terminal = openTerminal(world.bot.app);
    const { typed } = terminal;
    await typed("/thread usage", texts.noThreadHere);
    await typed("/thread Budget", 'Created thread "Budget"');
    await typed("/thread model", "[✓ Echo 1] [Echo 2]");
    await typed("/thread model gpt-9", texts.unknownModel("gpt-9"));
    await typed("/thread model Echo 2", 'Thread "Budget" now runs on fake/echo-2.');
    await typed("/thread usage", 'Thread "Budget" has not used any tokens yet.');
    expect(world.gw.requestsOf("sessions.patch").map((r) => (r.params as { model?: string }).model)).toEqual([
      "fake/echo-2",
    ]);
    await terminal.close();
  });
});
