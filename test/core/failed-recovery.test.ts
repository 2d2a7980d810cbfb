import { describe, expect, it } from "vitest";
import { type BotUnderTest, chatSends, quiet, startBot, until } from "./support/bot-harness.ts";

const A = "console:a";

function buttons(world: BotUnderTest): string[] {
  return world.console.in(A).flatMap((m) => m.buttons.map((b) => b.label));
}

describe("OpenClaw's own continuation fails (auto)", () => {
  it("shows the failure, then offers Resume, which continues the turn once", async () => {
    const world = await startBot({ policy: "auto", gateway: { recovery: { delayMs: 50 } } });
    await world.command(A, "/thread Budget Planning");
    const gate = world.gw.model.hold();
    await world.message(A, "fill the sheet");
    await gate.reached;
    world.gw.model.next({ error: "model exploded during recovery" });
    await world.gw.crash();
    await until(() => buttons(world).includes("Resume"), "Resume offered after the failed continuation", 10_000);
    expect(buttons(world)).toEqual(["Stop", "Resume"]);
    const resume = world.console.in(A).find((m) => m.buttons[0]?.label === "Resume")?.buttons[0];
    const sends = chatSends(world.gw).length;
    expect((await world.press(A, resume?.data ?? "")).text).toMatch(/Resuming/);
    await until(
      () => world.console.in(A).some((m) => m.text.startsWith("ECHO: Your previous turn was interrupted")),
      "the resumed turn's answer",
    );
    await quiet(world);
    expect(chatSends(world.gw)).toHaveLength(sends + 1);
    expect((await world.press(A, resume?.data ?? "")).text).toMatch(/already continued/);
  });
});
