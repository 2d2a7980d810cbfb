import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createConsoleChannel } from "../../../src/channels/console/console-channel.ts";
import { startBot, until } from "../../core/support/bot-harness.ts";

describe("console: /thread rename, fork, reset, delete typed in the terminal", () => {
  it("renames, forks, and answers reset and delete with `yes` (a terminal has no buttons)", async () => {
    const world = await startBot();
    const terminals = createConsoleChannel({ app: world.bot.app, user: "op" });
    world.bot.channels.add(terminals.channel);
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    const terminal = terminals.attach("main", input, output);
    terminal.start();
    const typed = async (line: string, answer: RegExp) => {
      const from = printed.length;
      input.write(`${line}\n`);
      await until(() => answer.test(printed.slice(from)), `the answer to ${line}`);
    };
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
    input.end();
    await terminal.closed;
    await terminals.stop();
  });
});
