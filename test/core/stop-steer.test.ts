import { describe, expect, it } from "vitest";
import { texts } from "../../src/core/texts.ts";
import {
  type BotUnderTest,
  chatSends,
  notices,
  quiet,
  sleep,
  startBot,
  tempDir,
  USERS,
  until,
} from "./support/bot-harness.ts";

const A = "console:a";
const B = "console:b";
const TG = "telegram:-100";
const KEY = "agent:main:named:budget-planning";

/** A thread bound in A (and B) with a turn holding after its first words; returns the partial shown. */
async function streaming(world: BotUnderTest, text = "plan the budget", where = A) {
  await world.command(A, "/thread Budget Planning");
  await world.command(B, "/thread Budget Planning");
  const gate = world.gw.model.hold();
  await world.message(where, text);
  await gate.reached;
  const partial = await until(
    () =>
      world
        .channelOf(where)
        .in(where)
        .find((m) => m.text.startsWith("ECHO")),
    "partial",
  );
  return { gate, partial };
}

const aborts = (world: BotUnderTest) => world.gw.requestsOf("chat.abort").map((r) => r.params);

describe("/stop", () => {
  it("aborts the running turn: the partial answer stays marked stopped, no more text, the next message is answered", async () => {
    const world = await startBot();
    const { gate, partial } = await streaming(world);
    const shownBefore = partial.text;
    const turnId = chatSends(world.gw)[0]?.idempotencyKey;

    const reply = await world.command(A, "/stop");
    expect(reply?.text).toBe('Stopped the running turn of "Budget Planning".');
    expect(aborts(world)).toEqual([{ sessionKey: KEY, runId: turnId }]);
    expect(partial.text).toBe(`${shownBefore}\n\n${texts.stopped}`);
    expect(world.store.state.journal).toEqual({});
    expect(world.store.state.checkpoints["budget-planning"]?.status).toBe("aborted");
    gate.release();
    await sleep(50);
    expect(world.console.in(A)).toHaveLength(1);
    expect(partial.text).toBe(`${shownBefore}\n\n${texts.stopped}`);

    await world.message(A, "next question");
    await world.says(A, "ECHO: next question");
    await quiet(world);
  });

  it("stops the turn wherever it streams, when asked from another conversation bound to the thread", async () => {
    const world = await startBot();
    const { partial } = await streaming(world, "from A");
    expect((await world.command(B, "/stop"))?.text).toBe('Stopped the running turn of "Budget Planning".');
    expect(partial.text.endsWith(texts.stopped)).toBe(true);
    expect(world.console.in(B)).toEqual([]);
  });

  it("lets messages queued behind the stopped turn go, in order", async () => {
    const world = await startBot();
    await streaming(world);
    await world.message(A, "second");
    await world.message(A, "third");
    await world.command(A, "/stop");
    await world.says(A, "ECHO: third");
    const shown = world.console.in(A).map((m) => m.text);
    expect(shown.slice(1)).toEqual(["ECHO: second", "ECHO: third"]);
    expect(chatSends(world.gw).map((s) => s.message)).toEqual(["plan the budget", "second", "third"]);
    expect(aborts(world)).toHaveLength(1);
  });

  it("with nothing running says so in one line and asks the gateway nothing", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    await world.message(A, "done already");
    await world.says(A, "ECHO: done already");
    await quiet(world);
    const requests = world.gw.requests.length;
    expect((await world.command(A, "/stop"))?.text).toBe('Nothing is running in "Budget Planning".');
    expect(world.gw.requests.length).toBe(requests);
  });

  it("with no thread bound here says so in one line", async () => {
    const world = await startBot();
    const requests = world.gw.requests.length;
    expect((await world.command(A, "/stop"))?.text).toBe(texts.noThreadHere);
    expect(world.gw.requests.length).toBe(requests);
  });

  it("takes no arguments", async () => {
    const world = await startBot();
    await streaming(world);
    expect((await world.command(A, "/stop now please"))?.text).toBe("/stop takes no arguments.");
    expect(aborts(world)).toEqual([]);
  });

  it("is refused to a person without access, and nothing is aborted", async () => {
    const world = await startBot();
    await world.command(TG, "/thread Budget Planning");
    const gate = world.gw.model.hold();
    await world.message(TG, "plan");
    await gate.reached;
    expect(await world.command(TG, "/stop", { sender: USERS.stranger })).toBeUndefined();
    expect((await world.command(TG, "/stop", { sender: USERS.stranger, direct: true }))?.text).toContain(
      "not on this bot's allow list",
    );
    expect(aborts(world)).toEqual([]);
    expect(Object.keys(world.store.state.journal)).toHaveLength(1);
  });

  it("on OpenClaw's continuation behind a Stop notice acts as the notice's Stop", async () => {
    const world = await startBot({ policy: "auto", gateway: { recovery: { delayMs: 50 } } });
    await world.command(A, "/thread Budget Planning");
    const first = world.gw.model.hold();
    await world.message(A, "fill the sheet");
    await first.reached;
    const recovering = world.gw.model.hold();
    await world.gw.crash();
    await recovering.reached;
    await until(() => notices(world, A)[0], "the notice");
    await until(() => world.bot.relay.running("budget-planning"), "following the continuation");
    expect((await world.command(A, "/stop"))?.text).toBe(texts.stopping("Budget Planning"));
    expect(Object.values(world.store.state.notices).map((n) => n.state)).toEqual(["used"]);
    await quiet(world);
    expect(world.gw.requestsOf("chat.abort").length).toBeGreaterThanOrEqual(1);
  });

  it("stops a resumed turn (confirm policy: Resume after a crash, then /stop)", async () => {
    const world = await startBot({ policy: "confirm", gateway: { recovery: { delayMs: 30 } } });
    await world.command(A, "/thread Budget Planning");
    const first = world.gw.model.hold();
    await world.message(A, "send the invoices");
    await first.reached;
    await world.gw.crash();
    const notice = await until(() => notices(world, A)[0], "the notice");
    const resumed = world.gw.model.hold();
    await world.press(A, notice.buttons[0]?.data ?? "");
    await resumed.reached;
    await until(() => world.bot.relay.running("budget-planning"), "following the resumed turn");
    expect((await world.command(A, "/stop"))?.text).toBe('Stopped the running turn of "Budget Planning".');
    const resumeKey = chatSends(world.gw).at(-1)?.idempotencyKey;
    // (Before it, the take-back of confirm aborted OpenClaw's own re-run of the cut turn.)
    expect(aborts(world).at(-1)).toEqual({ sessionKey: KEY, runId: resumeKey });
    await quiet(world);
    expect(world.shown(A, texts.stopped)).toHaveLength(1);
  });

  it("is not replayed after a bot restart: nothing more reaches the gateway", async () => {
    const storePath = `${await tempDir()}/threads.json`;
    const world = await startBot({ storePath });
    await streaming(world);
    await world.command(A, "/stop");
    await world.stop();
    const again = await startBot({ gw: world.gw, storePath });
    await sleep(100);
    expect(aborts(again)).toHaveLength(1);
    expect(chatSends(again.gw)).toHaveLength(1);
    expect(again.store.state.journal).toEqual({});
  });
});

describe("/steer", () => {
  it("interrupts the running turn: its part stays marked redirected, the answer to the steer follows once", async () => {
    const world = await startBot();
    const { partial } = await streaming(world);
    const shownBefore = partial.text;

    const reply = await world.command(B, "/steer use the 2027 numbers instead");
    expect(reply?.text).toBe(texts.steering("Budget Planning"));
    await world.says(A, "ECHO: use the 2027 numbers instead");
    await quiet(world);
    const sends = world.gw.requestsOf("chat.send").map((r) => r.params as Record<string, unknown>);
    expect(sends.map((s) => s.queueMode)).toEqual([undefined, "interrupt"]);
    expect(sends[1]).toMatchObject({ sessionKey: KEY, message: "use the 2027 numbers instead", deliver: false });
    expect(partial.text).toBe(`${shownBefore}\n\n${texts.redirected}`);
    // It streams where the turn was streaming: A, not B (where /steer was typed).
    expect(world.console.in(A).map((m) => m.text)).toEqual([partial.text, "ECHO: use the 2027 numbers instead"]);
    expect(world.console.in(B)).toEqual([]);
    expect(world.gw.model.turns.map((t) => t.message)).toEqual(["plan the budget", "use the 2027 numbers instead"]);
  });

  it("interrupts OpenClaw's continuation after a crash: the continuation's part is marked redirected, the steer answered", async () => {
    const world = await startBot({ policy: "auto", gateway: { recovery: { delayMs: 50 } } });
    await world.command(A, "/thread Budget Planning");
    const first = world.gw.model.hold();
    await world.message(A, "fill the sheet");
    await first.reached;
    const recovering = world.gw.model.hold();
    await world.gw.crash();
    await recovering.reached;
    await until(() => notices(world, A)[0], "the notice");
    await until(() => world.bot.relay.running("budget-planning"), "following the continuation");
    expect((await world.command(A, "/steer only column C"))?.text).toBe(texts.steering("Budget Planning"));
    await world.says(A, "ECHO: only column C");
    await quiet(world);
    expect(world.shown(A, texts.redirected)).toHaveLength(1);
    expect(world.bot.relay.running("budget-planning")).toBeUndefined();
    expect(world.gw.model.turns.map((t) => t.kind)).toEqual(["user", "recovery", "user"]);
  });

  it("tries again when OpenClaw refuses because the cut turn is still shutting down", async () => {
    const world = await startBot();
    await streaming(world);
    const refusal = {
      code: "UNAVAILABLE",
      message: "Previous run is still shutting down. Please try again in a moment.",
    };
    world.gw.fault("chat.send", { error: { ...refusal, retryable: true, retryAfterMs: 250 } }, 2);
    await world.command(A, "/steer try again");
    await world.says(A, "ECHO: try again");
    await quiet(world);
    const sends = world.gw.requestsOf("chat.send").map((r) => r.params as Record<string, unknown>);
    expect(sends.map((s) => s.queueMode)).toEqual([undefined, "interrupt", "interrupt", "interrupt"]);
    expect(new Set(sends.slice(1).map((s) => s.idempotencyKey)).size).toBe(1);
  });

  it("is an ordinary message when nothing runs", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    expect((await world.command(A, "/steer what about taxes"))?.text).toBe(texts.steerIdle("Budget Planning"));
    await world.says(A, "ECHO: what about taxes");
    const sends = world.gw.requestsOf("chat.send").map((r) => r.params as Record<string, unknown>);
    expect(sends.map((s) => s.queueMode)).toEqual([undefined]);
  });

  it("refuses empty text and a missing thread in one line, sending nothing", async () => {
    const world = await startBot();
    expect((await world.command(A, "/steer go"))?.text).toBe(texts.noThreadHere);
    await world.command(A, "/thread Budget Planning");
    expect((await world.command(A, "/steer"))?.text).toBe(texts.usage("/steer <text>"));
    expect((await world.command(A, "/steer    "))?.text).toBe(texts.usage("/steer <text>"));
    expect((await world.command(A, `/steer ${"x".repeat(4_001)}`))?.text).toBe("At most 4000 characters.");
    expect(chatSends(world.gw)).toEqual([]);
  });

  it("is refused to a person without access", async () => {
    const world = await startBot();
    await world.command(TG, "/thread Budget Planning");
    expect(await world.command(TG, "/steer go", { sender: USERS.stranger })).toBeUndefined();
    expect(chatSends(world.gw)).toEqual([]);
  });

  it("a reply to the streaming answer steers it; a reply to a finished answer is an ordinary message", async () => {
    const world = await startBot();
    const { partial } = await streaming(world);
    expect(await world.message(A, "shorter please", { replyTo: partial.id })).toBeUndefined();
    await world.says(A, "ECHO: shorter please");
    await quiet(world);
    expect(partial.text.endsWith(texts.redirected)).toBe(true);
    const answer = world.console.in(A).find((m) => m.text === "ECHO: shorter please");
    await world.message(A, "and a title", { replyTo: answer?.id });
    await world.says(A, "ECHO: and a title");
    const sends = world.gw.requestsOf("chat.send").map((r) => r.params as Record<string, unknown>);
    expect(sends.map((s) => s.queueMode)).toEqual([undefined, "interrupt", undefined]);
  });

  it("is not sent twice after a bot restart", async () => {
    const storePath = `${await tempDir()}/threads.json`;
    const world = await startBot({ storePath });
    await streaming(world);
    await world.command(A, "/steer new direction");
    await world.says(A, "ECHO: new direction");
    await quiet(world);
    await world.stop();
    const again = await startBot({ gw: world.gw, storePath });
    await sleep(100);
    expect(chatSends(again.gw)).toHaveLength(2);
    expect(again.store.state.journal).toEqual({});
  });
});
