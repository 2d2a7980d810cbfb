import { describe, expect, it } from "vitest";
import { botSays, startBot } from "./support/bot-world.ts";
import { alice, aliceDm, group } from "./support/harness.ts";

describe("telegram subcommands with the real core", () => {
  it("the menu lists top-level commands only, and /thread's description names its subcommands", async () => {
    const world = await startBot();
    const menu = (world.tg.sent("setMyCommands")[0]?.commands ?? []) as { command: string; description: string }[];
    expect(menu.map((c) => c.command)).toEqual([
      "thread",
      "resume",
      "stop",
      "steer",
      "approve",
      "deny",
      "threads",
      "help",
    ]);
    expect(menu.find((c) => c.command === "thread")?.description).toMatch(/\(also: show, off(, [a-z]+)*\)$/);
  });

  it("/thread open, /thread show and /thread off are typed text, dispatched on the first word", async () => {
    const world = await startBot();
    world.tg.userMessage(aliceDm.id, alice, "/thread open Budget");
    await botSays(world, aliceDm.id, undefined, /^Created thread "Budget" \(budget\) here\./);
    world.tg.userMessage(aliceDm.id, alice, "/thread show");
    await botSays(world, aliceDm.id, undefined, /^Thread "Budget" \(budget\): idle\./);
    world.tg.userMessage(aliceDm.id, alice, "/thread@keeper_bot OFF");
    await botSays(
      world,
      aliceDm.id,
      undefined,
      'Unbound "Budget" from this conversation. The thread and its session stay.',
    );
    expect(world.store.state.bindings[`telegram:${aliceDm.id}`]).toBeUndefined();
  });

  it("a reserved name is refused in one line in a group, nothing bound", async () => {
    const world = await startBot();
    world.tg.userMessage(group.id, alice, "/thread open off");
    await botSays(world, group.id, undefined, '"off" is reserved; pick another thread name.');
    expect(world.store.state.threads).toEqual({});
  });
});
