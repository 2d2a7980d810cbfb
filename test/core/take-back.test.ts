import { describe, expect, it } from "vitest";
import { texts } from "../../src/core/texts.ts";
import { chatSends, notices, quiet, sleep, startBot, until } from "./support/bot-harness.ts";

const A = "console:a";
const KEY = "agent:main:named:budget-planning";

/** confirm on an ordinary session: OpenClaw's re-run (admitted `delayMs` after boot, at the model 300 ms later). */
async function cutByCrash(recovery: { delayMs: number; modelDelayMs: number; readmitMs: number }) {
  const world = await startBot({ policy: "confirm", gateway: { recovery } });
  await world.command(A, "/thread Budget Planning");
  const gate = world.gw.model.hold();
  await world.message(A, "send the invoices");
  await gate.reached;
  const turns = world.gw.model.turns.length;
  await world.gw.crash();
  const notice = await until(() => notices(world, A)[0], "the notice");
  return { world, notice, turns };
}

describe("confirm: the bot takes OpenClaw's re-run back", () => {
  it("the re-run is aborted at its admission: it never reaches the model, and the session is an ordinary one", async () => {
    const { world, notice, turns } = await cutByCrash({ delayMs: 30, modelDelayMs: 300, readmitMs: 100 });
    expect(notice.buttons.map((b) => b.label)).toEqual(["Resume"]);
    await until(() => world.gw.requestsOf("chat.abort").length > 0, "the take-back's abort");
    await sleep(400);
    expect(world.gw.model.turns).toHaveLength(turns);
    expect(world.gw.session(KEY)?.row.parentSessionKey).toBeUndefined();
  });

  it("a second crash before the re-run was taken back: the next boot's re-run is taken back too", async () => {
    // The first boot's re-run would come only after a minute: the second crash finds it still pending.
    const { world, notice, turns } = await cutByCrash({ delayMs: 60_000, modelDelayMs: 300, readmitMs: 100 });
    await world.bot.recovery.idle();
    await world.gw.crash({ recovery: { delayMs: 30, modelDelayMs: 300, readmitMs: 100 } });
    await until(() => world.gw.requestsOf("chat.abort").length > 0, "the take-back's abort after the second boot");
    await sleep(400);
    expect(world.gw.model.turns).toHaveLength(turns);
    expect(notices(world, A)).toHaveLength(1);
    expect((await world.press(A, notice.buttons[0]?.data ?? "")).text).toBe(texts.resuming("Budget Planning"));
    await until(() => world.shown(A, /^ECHO: Your previous turn was interrupted/).length === 1, "the continuation");
    await quiet(world);
  });

  it("after a take-back, a message written while the gateway was away again is answered once, and nothing else reaches the model", async () => {
    const { world, turns } = await cutByCrash({ delayMs: 100, modelDelayMs: 300, readmitMs: 100 });
    await world.bot.recovery.idle();
    // Written while the gateway is down again: it is sent at the next connect, once the session is known idle.
    const back = world.gw.crash({ downMs: 200, recovery: { delayMs: 100, modelDelayMs: 300, readmitMs: 100 } });
    await until(() => !world.client.connected, "the gateway to go");
    await world.message(A, "written while it was away");
    await back;
    await until(() => world.shown(A, "ECHO: written while it was away").length === 1, "its answer");
    await quiet(world);
    expect(world.gw.model.turns.slice(turns).map((t) => t.message)).toEqual(["written while it was away"]);
    expect(chatSends(world.gw).filter((s) => s.message === "written while it was away")).toHaveLength(1);
  });
});
