import { describe, expect, it } from "vitest";
import { texts as words } from "../../src/core/texts.ts";
import {
  type BotUnderTest,
  chatSends,
  keysSentOnTwoBoots,
  notices,
  quiet,
  sleep,
  startBot,
  until,
} from "./support/bot-harness.ts";

const A = "console:a";
const B = "console:b";
const KEY = "agent:main:named:budget-planning";

/** Messages with buttons (notices) in a conversation. */

async function reconnected(world: BotUnderTest, bootCount: number): Promise<void> {
  await until(
    () => world.gw.bootIds.length >= bootCount && world.client.connected && world.client.bootId === world.gw.bootId,
    "the bot to reconnect to the new boot",
  );
  await until(() => world.store.state.gatewayBootId === world.gw.bootId, "the new bootId stored");
  await world.bot.recovery.idle();
}

describe("gateway restarts (fake gateway)", () => {
  it("graceful restart with a turn held through the drain: answer delivered, no notice, new bootId, writers told", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    await world.command(B, "/thread Travel");
    const gate = world.gw.model.hold({ text: "the drained answer" });
    await world.message(A, "long task");
    await gate.reached;
    const firstBoot = world.gw.bootId;

    const restarting = world.gw.restart(); // SIGTERM-like: admission closes, running turns drain
    await sleep(20);
    // Someone writes in another thread during the drain: the gateway refuses, the bot queues and says so.
    await world.message(B, "during the drain");
    await until(() => world.shown(B, words.queued).length > 0, "the queued acknowledgement in B");
    expect(world.shown(B, /restarting/)).toHaveLength(1);
    expect((await world.command(B, "/thread"))?.text).toContain("queued (1)");
    // And in the held turn's own thread: it waits behind that turn.
    await world.message(A, "also during the drain");

    gate.release();
    await world.says(A, "the drained answer");
    await restarting;
    await reconnected(world, 2);
    expect(world.client.bootId).not.toBe(firstBoot);
    await world.says(B, "ECHO: during the drain");
    await world.says(A, "ECHO: also during the drain");
    await quiet(world);

    expect(world.shown(A, "the drained answer")).toHaveLength(1);
    expect(world.store.state.notices).toEqual({});
    expect(notices(world, A)).toEqual([]);
    expect(notices(world, B)).toEqual([]);
    expect(world.shown(A, /interrupted/)).toEqual([]);
    // The drained turn was answered before the gateway went: nobody is told its answer is still to come.
    expect(world.shown(A, /answer will follow/)).toEqual([]);
    expect(world.gw.model.turns.map((t) => t.message).sort()).toEqual(
      ["also during the drain", "during the drain", "long task"].sort(),
    );
    expect(world.shown(A, "ECHO: also during the drain")).toHaveLength(1);
    expect(keysSentOnTwoBoots(world.gw)).toEqual([]);
  });

  it("tells a conversation whose turn is in flight when the gateway announces a restart", async () => {
    // A drain that overruns its budget aborts the turn (stopReason "restart"); OpenClaw recovers it after boot.
    const world = await startBot({ gateway: { recovery: { delayMs: 50 } } });
    await world.command(A, "/thread Budget Planning");
    const gate = world.gw.model.hold();
    await world.message(A, "long task");
    await gate.reached;
    await world.gw.restart({ drainTimeoutMs: 50 });
    await until(() => world.shown(A, /gateway is restarting/).length > 0, "the restarting line in A");
    await reconnected(world, 2);
    await world.says(A, "RECOVERED: long task");
    await quiet(world);
    expect(world.shown(A, /gateway is restarting/)).toHaveLength(1);
    expect(world.shown(A, "RECOVERED: long task")).toHaveLength(1);
    expect(chatSends(world.gw)).toHaveLength(1);
    expect(keysSentOnTwoBoots(world.gw)).toEqual([]);
  });

  it("crash with OpenClaw's recovery (auto): one notice with Stop where the turn started, then the recovered answer once", async () => {
    const world = await startBot({ policy: "auto", gateway: { recovery: { delayMs: 100 } } });
    await world.command(A, "/thread Budget Planning");
    await world.command(B, "/thread budget planning");
    const gate = world.gw.model.hold({ tools: [{ name: "sheet_write", args: { cell: "C3" } }] });
    await world.message(B, "fill the sheet");
    await gate.reached;
    await world.gw.crash();
    await reconnected(world, 2);
    await world.says(B, "RECOVERED: fill the sheet");
    await quiet(world);

    const shown = notices(world, B);
    expect(shown).toHaveLength(1);
    expect(shown[0]?.buttons.map((b) => b.label)).toEqual(["Stop"]);
    expect(shown[0]?.text).toContain('thread "Budget Planning"');
    expect(shown[0]?.text).toContain("Task: fill the sheet");
    expect(shown[0]?.text).toContain('Last step: sheet_write({"cell":"C3"})');
    expect(shown[0]?.text).toContain("May run again on continuing: sheet_write");
    expect(shown[0]?.text).toContain("Resume policy: auto — OpenClaw continues a turn a crash cut short by itself.");
    expect(notices(world, A)).toEqual([]);
    expect(world.console.in(A)).toEqual([]);
    // The notice comes before the continuation's output, and the answer arrives once.
    const texts = world.console.in(B).map((m) => m.text);
    expect(texts.indexOf(shown[0]?.text ?? "")).toBeLessThan(texts.indexOf("RECOVERED: fill the sheet"));
    expect(world.shown(B, "RECOVERED: fill the sheet")).toHaveLength(1);
    // OpenClaw continued it by itself: the bot sent nothing more.
    expect(chatSends(world.gw)).toHaveLength(1);
    expect(world.gw.model.turns.map((t) => t.kind)).toEqual(["user", "recovery"]);
    expect(world.store.state.threads["budget-planning"]?.state).toBe("idle");
    expect(keysSentOnTwoBoots(world.gw)).toEqual([]);
  });

  it("Stop aborts OpenClaw's continuation; a second press sends nothing", async () => {
    const world = await startBot({ policy: "auto", gateway: { recovery: { delayMs: 50 } } });
    await world.command(A, "/thread Budget Planning");
    const first = world.gw.model.hold();
    await world.message(A, "fill the sheet");
    await first.reached;
    const recovering = world.gw.model.hold(); // the recovery run holds too
    await world.gw.crash();
    await reconnected(world, 2);
    await recovering.reached;
    const notice = await until(() => notices(world, A)[0], "the notice");
    const stop = notice.buttons[0];
    expect(stop?.label).toBe("Stop");
    const reply = await world.press(A, stop?.data ?? "");
    expect(reply.text).toMatch(/^Stopping/);
    const aborts = world.gw.requestsOf("chat.abort").map((r) => r.params as { sessionKey: string; runId?: string });
    // The Stop's abort, and maybe one more from the StopGuard when the run's admission event arrives
    // after the press (it cannot tell a late event from a re-admission; aborting twice changes nothing).
    expect(aborts.length).toBeGreaterThanOrEqual(1);
    expect(aborts.length).toBeLessThanOrEqual(2);
    expect(new Set(aborts.map((a) => `${a.sessionKey} ${a.runId}`))).toEqual(
      new Set([`${KEY} ${world.gw.model.turns[1]?.runId}`]),
    );
    await quiet(world);
    expect(world.gw.session(KEY)?.row.hasActiveRun).toBe(false);
    expect(world.store.state.threads["budget-planning"]?.state).toBe("idle");
    expect(world.store.state.checkpoints["budget-planning"]?.status).toBe("aborted");

    const requests = world.gw.requests.length;
    const again = await world.press(A, stop?.data ?? "");
    expect(again.text).not.toMatch(/^Stopping/);
    expect(world.gw.requests.slice(requests)).toEqual([]);
    expect(chatSends(world.gw)).toHaveLength(1);
  });

  it("a reply to the Stop notice is an ordinary message: it does not abort OpenClaw's continuation", async () => {
    const world = await startBot({ policy: "auto", gateway: { recovery: { delayMs: 20 } } });
    await world.command(A, "/thread Budget Planning");
    const first = world.gw.model.hold();
    await world.message(A, "fill the sheet");
    await first.reached;
    const recovering = world.gw.model.hold({ text: "sheet filled" });
    await world.gw.crash();
    await recovering.reached;
    const notice = await until(() => notices(world, A)[0], "the notice");
    await world.message(A, "thanks, go on", { replyTo: notice.id });
    recovering.release();
    await world.says(A, "sheet filled");
    await world.says(A, "ECHO: thanks, go on");
    await quiet(world);
    expect(world.gw.requestsOf("chat.abort")).toEqual([]);
  });

  it("a Stop pressed after the recovered answer arrived sends nothing", async () => {
    const world = await startBot({ policy: "auto", gateway: { recovery: { delayMs: 50 } } });
    await world.command(A, "/thread Budget Planning");
    const gate = world.gw.model.hold();
    await world.message(A, "fill the sheet");
    await gate.reached;
    await world.gw.crash();
    await reconnected(world, 2);
    await world.says(A, "RECOVERED: fill the sheet");
    await quiet(world);
    const stop = notices(world, A)[0]?.buttons[0];
    const requests = world.gw.requests.length;
    const reply = await world.press(A, stop?.data ?? "");
    expect(reply.text).not.toMatch(/^Stopping/);
    expect(reply.text).not.toContain("\n");
    expect(world.gw.requests.slice(requests)).toEqual([]);
  });

  it("gateway stopped, three messages queued and acknowledged, then sent once each in order on return", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    const back = world.gw.restart({ stop: true, downMs: 400 });
    await until(() => !world.client.connected, "the client to see the gateway go");
    const replies = [];
    for (const text of ["q1", "q2", "q3"]) replies.push(await world.message(A, text));
    expect(replies.map((r) => r?.text)).toEqual([words.queued, words.queued, words.queued]);
    expect((await world.command(A, "/thread"))?.text).toContain("queued (3)");
    await back;
    await reconnected(world, 2);
    await world.says(A, "ECHO: q3");
    await quiet(world);
    expect(world.gw.model.turns.map((t) => t.message)).toEqual(["q1", "q2", "q3"]);
    expect(chatSends(world.gw).map((s) => s.message)).toEqual(["q1", "q2", "q3"]);
    expect(world.console.in(A).map((m) => m.text)).toEqual(["ECHO: q1", "ECHO: q2", "ECHO: q3"]);
    expect(keysSentOnTwoBoots(world.gw)).toEqual([]);
  });

  it("gateway crashed, three messages queued, then sent once each in order after it is back", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    const back = world.gw.crash({ downMs: 400 });
    await until(() => !world.client.connected, "the client to see the gateway go");
    for (const text of ["c1", "c2", "c3"]) expect((await world.message(A, text))?.text).toBe(words.queued);
    await back;
    await reconnected(world, 2);
    await world.says(A, "ECHO: c3");
    await quiet(world);
    expect(world.gw.model.turns.map((t) => t.message)).toEqual(["c1", "c2", "c3"]);
    expect(world.console.in(A).map((m) => m.text)).toEqual(["ECHO: c1", "ECHO: c2", "ECHO: c3"]);
    expect(keysSentOnTwoBoots(world.gw)).toEqual([]);
  });

  it("a message sent while OpenClaw's recovery is pending is answered, though under a run id the bot never issued", async () => {
    const world = await startBot({ policy: "auto", gateway: { recovery: { delayMs: 300 } } });
    await world.command(A, "/thread Budget Planning");
    const gate = world.gw.model.hold();
    await world.message(A, "first task");
    await gate.reached;
    await world.gw.crash();
    await until(() => world.client.connected && world.client.bootId === world.gw.bootId, "reconnect");
    await world.message(A, "sent during recovery");
    await world.says(A, "RECOVERED: first task");
    await world.says(A, "ECHO: sent during recovery");
    await quiet(world);
    const sends = chatSends(world.gw);
    expect(sends.map((s) => s.message)).toEqual(["first task", "sent during recovery"]);
    const ours = sends[1]?.idempotencyKey;
    const answeredBy = world.gw.model.turns.find((t) => t.message === "sent during recovery")?.runId;
    expect(answeredBy).toBeDefined();
    expect(answeredBy).not.toBe(ours);
    expect(world.shown(A, "ECHO: sent during recovery")).toHaveLength(1);
    expect(world.shown(A, "RECOVERED: first task")).toHaveLength(1);
    expect(notices(world, A)).toHaveLength(1);
    expect(keysSentOnTwoBoots(world.gw)).toEqual([]);
  });

  it("a socket drop on the same boot: the held turn's answer still arrives, no notice", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    const gate = world.gw.model.hold({ text: "answer after the drop" });
    await world.message(A, "long task");
    await gate.reached;
    const boot = world.gw.bootId;
    await world.gw.dropConnections();
    await until(() => world.client.connected && world.gw.connections === 1, "reconnect");
    await world.bot.recovery.idle();
    expect(world.gw.bootId).toBe(boot);
    gate.release();
    await world.says(A, "answer after the drop");
    await quiet(world);
    expect(world.shown(A, "answer after the drop")).toHaveLength(1);
    expect(world.store.state.notices).toEqual({});
    expect(chatSends(world.gw)).toHaveLength(1);
  });

  it("a turn that ends while the socket is down (same boot) is delivered after the reconnect", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    const gate = world.gw.model.hold({ text: "finished in the gap" });
    await world.message(A, "long task");
    await gate.reached;
    world.gw.setStartupUnavailable(0);
    await world.gw.dropConnections();
    gate.release();
    await until(() => world.gw.session(KEY)?.row.hasActiveRun === false, "the turn to end at the gateway");
    await until(() => world.client.connected, "reconnect");
    await world.says(A, "finished in the gap");
    await quiet(world);
    expect(world.shown(A, "finished in the gap")).toHaveLength(1);
    expect(chatSends(world.gw)).toHaveLength(1);
  });

  it("a chat.send lost with its socket on the same boot, never admitted, is sent again once with its key", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    world.gw.fault("chat.send", { noReply: true });
    const accepted = world.message(A, "lost on the wire");
    await world.gw.waitForRequest("chat.send");
    await world.gw.dropConnections();
    await accepted;
    await world.says(A, "ECHO: lost on the wire");
    await quiet(world);
    const sends = chatSends(world.gw);
    expect(sends).toHaveLength(2);
    expect(sends[1]?.idempotencyKey).toBe(sends[0]?.idempotencyKey);
    expect(world.gw.model.turns).toHaveLength(1);
    expect(world.shown(A, "ECHO: lost on the wire")).toHaveLength(1);
  });

  it("a turn admitted just before a crash whose ack was lost is never re-sent under its key", async () => {
    const world = await startBot({ policy: "auto", gateway: { recovery: { delayMs: 50 } } });
    await world.command(A, "/thread Budget Planning");
    // The gateway admits the turn but its reply never reaches the bot: then it crashes.
    world.gw.fault("chat.send", { delayMs: 50 });
    world.gw.model.hold();
    const accepted = world.message(A, "admitted, ack lost");
    await world.gw.waitForRequest("chat.send");
    world.gw.silence();
    await until(() => world.gw.model.turns.length === 1, "the model to get the turn");
    const crashing = world.gw.crash();
    world.gw.silence(false);
    await crashing;
    await accepted;
    await reconnected(world, 2);
    await world.says(A, "RECOVERED: admitted, ack lost");
    await quiet(world);
    expect(keysSentOnTwoBoots(world.gw)).toEqual([]);
    expect(world.shown(A, /failed/)).toEqual([]);
    expect(world.shown(A, "RECOVERED: admitted, ack lost")).toHaveLength(1);
  });
});
