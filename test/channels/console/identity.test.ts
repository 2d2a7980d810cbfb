import { describe, expect, it } from "vitest";
import { startBot } from "../../core/support/bot-harness.ts";
import { openTerminal } from "./support/terminal.ts";

describe("console: /thread rename, fork, reset, delete typed in the terminal", () => {
  it("renames, forks, and answers reset and delete with `yes` (a terminal has no buttons)", async () => {
    const world = await startBot();
    const terminal = openTerminal(world.bot.app, world.bot.channels);
    const { typed } = terminal;
    await typed("/thread Budget", /Created thread "Budget" \(budget\) here\./);
    await typed("/thread rename Finance", /Renamed "Budget" to "Finance"\. Its slug \(budget\)/);
    await typed("/thread rename main", /"main" is reserved; pick another thread name\./);
    await typed("/thread fork Finance B", /Forked "Finance" into "Finance B" \(finance-b\), bound here/);
    await typed("/thread reset yes", /No \/thread reset question of yours is open here; type \/thread reset first\./);
    await typed("/thread reset", /Reset "Finance B"\?.*\[Reset\] \[Cancel\]/s);
    await typed("/thread reset yes", /"Finance B" was reset/);
    await typed("/thread delete", /Delete "Finance B"\?/);
    await typed("/thread delete YES", /"Finance B" was deleted/);
    expect(world.gw.requestsOf("sessions.reset")).toHaveLength(1);
    expect(world.gw.requestsOf("sessions.delete")).toHaveLength(1);
    expect(Object.keys(world.store.state.threads)).toEqual(["budget"]);
    await terminal.close();
  });
});
