import { describe, expect, it } from "vitest";
import { startBot, until } from "../../core/support/bot-harness.ts";
import { openTerminal } from "./support/terminal.ts";

describe("console subcommands with the real core", () => {
  it("typed /thread open, /thread show, /thread off and a reserved name each get their answer", async () => {
    const world = await startBot();
    const terminal = openTerminal(world.bot.app);
    terminal.type("/thread open Budget\n/thread SHOW\n/thread open off\n/thread off\n/help");
    await until(() => terminal.printed().includes("/thread off — "), "the /help answer");
    expect(terminal.printed()).toContain('Created thread "Budget" (budget) here.');
    expect(terminal.printed()).toContain('Thread "Budget" (budget): idle.');
    expect(terminal.printed()).toContain('"off" is reserved; pick another thread name.');
    expect(terminal.printed()).toContain('Unbound "Budget" from this conversation.');
    expect(world.store.state.bindings["console:main"]).toBeUndefined();
    await terminal.close();
  });
});
