import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chatSends, notices, quiet, startBot, startGateway, tempDir, until } from "./support/bot-harness.ts";

const A = "console:a";

describe("outbox under fault", () => {
  it("a notice whose send fails (429) is retried and delivered once", async () => {
    const world = await startBot({ policy: "confirm" });
    await world.command(A, "/thread Budget Planning");
    const gate = world.gw.model.hold();
    await world.message(A, "long task");
    await gate.reached;
    await until(() => world.console.in(A).length === 1, "the partial answer");
    world.console.failSends = 1;
    await world.gw.crash();
    await until(() => Object.values(world.store.state.outbox)[0]?.attempts === 1, "a failed attempt");
    const item = Object.values(world.store.state.outbox)[0];
    expect(item?.lastError).toBeDefined();
    const notice = await until(() => notices(world, A)[0], "the notice", 8_000);
    await quiet(world);
    expect(world.console.failSends).toBe(0);
    expect(notices(world, A)).toHaveLength(1);
    const stored = Object.values(world.store.state.notices);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.messageId).toBe(notice.id);
    // It still resumes.
    expect((await world.press(A, notice.buttons[0]?.data ?? "")).text).toMatch(/^Resuming/);
    await until(() => chatSends(world.gw).length === 2, "the continuation");
  });

  it("with OpenClaw continuing (auto), the notice is delivered before the continuation's answer even when its send fails", async () => {
    const world = await startBot({ policy: "auto", gateway: { recovery: { delayMs: 20 } } });
    await world.command(A, "/thread Budget Planning");
    const gate = world.gw.model.hold();
    await world.message(A, "long task");
    await gate.reached;
    await until(() => world.console.in(A).length === 1, "the partial answer");
    world.console.failSends = 1;
    await world.gw.crash();
    await world.says(A, "RECOVERED: long task", 8_000);
    await quiet(world);
    const texts = world.console.in(A).map((m) => m.text);
    const notice = notices(world, A);
    expect(notice).toHaveLength(1);
    // The first message is the partial answer of the cut turn's stream; the notice precedes the recovered one.
    expect(texts.indexOf(notice[0]?.text ?? "")).toBeLessThan(texts.indexOf("RECOVERED: long task"));
    expect(world.shown(A, "RECOVERED: long task")).toHaveLength(1);
  });

  it("a notice not yet delivered when the bot stops is delivered once by the next bot on the same store file", async () => {
    const path = join(await tempDir(), "threads.json");
    const gw = await startGateway();
    const first = await startBot({ gw, storePath: path, policy: "confirm" });
    await first.command(A, "/thread Budget Planning");
    const gate = gw.model.hold();
    await first.message(A, "long task");
    await gate.reached;
    first.console.failSends = 1_000;
    await gw.crash();
    await until(() => (Object.values(first.store.state.outbox)[0]?.attempts ?? 0) >= 1, "a failed attempt");
    await first.stop();
    expect(notices(first, A)).toEqual([]);

    const second = await startBot({ gw, storePath: path, policy: "confirm" });
    const notice = await until(() => notices(second, A)[0], "the notice from the next bot", 8_000);
    await quiet(second);
    expect(notices(second, A)).toHaveLength(1);
    expect(notices(first, A)).toEqual([]);
    expect(Object.values(second.store.state.notices)).toHaveLength(1);
    expect(notice.buttons.map((b) => b.label)).toEqual(["Resume"]);
    // The next bot resumes it, once.
    expect((await second.press(A, notice.buttons[0]?.data ?? "")).text).toMatch(/^Resuming/);
    await until(() => chatSends(gw).length === 2, "the continuation");
    await until(() => second.shown(A, /^ECHO: Your previous turn was interrupted/).length === 1, "the answer");
    await quiet(second);
    expect(chatSends(gw)).toHaveLength(2);

    // And a third bot on the same file posts nothing again.
    await second.stop();
    const third = await startBot({ gw, storePath: path, policy: "confirm" });
    await third.bot.recovery.idle();
    await quiet(third);
    expect(third.console.messages).toEqual([]);
  });
});
