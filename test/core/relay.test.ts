import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../../src/core/model.ts";
import { splitMessage } from "../../src/core/turns/split.ts";
import { fillerText } from "../fakes/gateway/model.ts";
import { chatSends, ObservedStore, quiet, sleep, startBot, until } from "./support/bot-harness.ts";

const A = "console:a";
const B = "console:b";
const KEY = "agent:main:named:budget-planning";

/** A bot whose store notes, for each durable update, how many chat.sends the gateway had seen. */
async function startObserved() {
  let observed: ObservedStore | undefined;
  const world = await startBot({
    wrapStore: (store, gw) => {
      observed = new ObservedStore(store, () => gw.requestsOf("chat.send").length);
      return observed;
    },
  });
  if (!observed) throw new Error("the store was not wrapped");
  return { world, observed };
}

describe("relay: a turn", () => {
  it("journals the turn durably before chat.send, sends it with the turn id as key and deliver:false, closes it after", async () => {
    const { world, observed } = await startObserved();
    await world.command(A, "/thread Budget Planning");
    // Hold the request at the gateway so the store can be looked at while chat.send is in flight.
    world.gw.fault("chat.send", { delayMs: 150 });
    const accepted = world.message(A, "plan the budget");
    const request = await world.gw.waitForRequest("chat.send");
    const params = request.params as Record<string, unknown>;
    const entry = world.store.state.journal[String(params.idempotencyKey)] as JournalEntry | undefined;
    expect(entry).toMatchObject({
      slug: "budget-planning",
      sessionKey: KEY,
      conversation: A,
      text: "plan the budget",
      kind: "message",
      sentBootId: world.gw.bootId,
    });
    expect(params).toEqual({
      sessionKey: KEY,
      message: "plan the budget",
      idempotencyKey: entry?.turnId,
      deliver: false,
    });
    // The entry (and its sent mark) were on disk before the gateway saw any chat.send.
    const journaled = observed.durable.find((d) => d.patch.journal?.[entry?.turnId ?? ""]?.text === "plan the budget");
    expect(journaled?.chatSendsSeen).toBe(0);
    const marked = observed.durable.find((d) => d.patch.journal?.[entry?.turnId ?? ""]?.sentBootId);
    expect(marked?.chatSendsSeen).toBe(0);
    expect(await accepted).toBeUndefined();
    await world.says(A, "ECHO: plan the budget");
    await quiet(world);
    expect(world.store.state.journal).toEqual({});
    expect(world.store.state.threads["budget-planning"]).toMatchObject({ state: "idle", messageCount: 1 });
    expect(world.store.state.checkpoints["budget-planning"]).toMatchObject({
      sessionKey: KEY,
      task: "plan the budget",
      turnId: entry?.turnId,
      status: "done",
    });
  });

  it("sends a turn on an idle thread after one durable write; one behind a running turn is marked when its turn comes", async () => {
    const { world, observed } = await startObserved();
    await world.command(A, "/thread Budget Planning");
    world.gw.model.when(/^m\d$/, (turn) => ({ delayMs: 80, text: `answer to ${turn.message}` }));
    // Accepted together: the second arrives while the first one's write is still going to disk.
    await Promise.all([world.message(A, "m1"), world.message(A, "m2")]);
    await world.says(A, "answer to m2");
    await quiet(world);
    const [first, second] = chatSends(world.gw).map((send) => send.idempotencyKey);
    const writesOf = (turnId: string | undefined) =>
      observed.durable.filter((d) => d.patch.journal?.[turnId ?? ""] !== undefined);
    // m1: a single write, entry and sent mark together, on disk before any chat.send.
    const m1 = writesOf(first);
    expect(m1[0]?.patch.journal?.[first ?? ""]).toMatchObject({ text: "m1", sentBootId: world.gw.bootId });
    expect(m1[0]?.patch.checkpoints?.["budget-planning"]).toMatchObject({ task: "m1", status: "running" });
    expect(m1[0]?.chatSendsSeen).toBe(0);
    // m2: journaled unsent (m1 was ahead of it), marked only after m1's answer, before its own chat.send.
    const m2 = writesOf(second);
    expect(m2[0]?.patch.journal?.[second ?? ""]).toMatchObject({ text: "m2" });
    expect(m2[0]?.patch.journal?.[second ?? ""]).not.toHaveProperty("sentBootId");
    expect(m2[1]?.patch.journal?.[second ?? ""]).toMatchObject({ sentBootId: world.gw.bootId });
    expect(m2[1]?.chatSendsSeen).toBe(1);
    expect(world.console.in(A).map((m) => m.text)).toEqual(["answer to m1", "answer to m2"]);
    expect(world.store.state.journal).toEqual({});
  });

  it("streams the answer with several edits, never an unchanged one, then the final text", async () => {
    const world = await startBot({ minEditIntervalMs: 5 });
    await world.command(A, "/thread Budget Planning");
    const text = "The budget has three parts: rent, food and travel. Rent is fixed; food and travel vary by month.";
    world.gw.model.next({ text, chunks: 8, deltaIntervalMs: 25 });
    await world.message(A, "explain");
    await world.says(A, text);
    await quiet(world);
    const messages = world.console.in(A);
    expect(messages).toHaveLength(1);
    const edits = messages[0]?.edits ?? [];
    expect(edits.length).toBeGreaterThanOrEqual(4);
    expect(edits.at(-1)).toBe(text);
    for (let i = 1; i < edits.length; i++) {
      expect(edits[i]).not.toBe(edits[i - 1]);
      expect(text.startsWith(edits[i - 1] ?? "")).toBe(true);
    }
    expect(world.console.typing_).toContain(A);
    expect(world.streamProblems()).toEqual([]);
  });

  it("sends three quick messages of a thread in order, each after the previous answer", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    world.gw.model.when(/^m\d$/, (turn) => ({ delayMs: 60, text: `answer to ${turn.message}` }));
    await Promise.all([world.message(A, "m1"), world.message(A, "m2"), world.message(A, "m3")]);
    await world.says(A, "answer to m3");
    await quiet(world);
    const sends = chatSends(world.gw);
    expect(sends.map((s) => s.message)).toEqual(["m1", "m2", "m3"]);
    expect(world.gw.model.turns.map((t) => t.message)).toEqual(["m1", "m2", "m3"]);
    const finals = world.gw.events.filter((e) => e.event === "chat" && e.payload.state === "final");
    for (let i = 1; i < 3; i++) {
      const previousFinal = finals.find((f) => f.payload.runId === sends[i - 1]?.idempotencyKey);
      expect(previousFinal).toBeDefined();
      expect(sends[i]?.at).toBeGreaterThanOrEqual(previousFinal?.at ?? Number.POSITIVE_INFINITY);
    }
    expect(world.console.in(A).map((m) => m.text)).toEqual(["answer to m1", "answer to m2", "answer to m3"]);
  });

  it("answers a command while an answer is held mid-stream", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    const gate = world.gw.model.hold({ text: "slow answer, finished" });
    await world.message(A, "take your time");
    await gate.reached;
    const status = await world.command(A, "/thread");
    expect(gate.released).toBe(false);
    expect(status?.text).toContain(": running.");
    expect(status?.text).toMatch(/Checkpoint \(.*, running\): task "take your time"/);
    expect((await world.command(B, "/thread Other"))?.text).toMatch(/^Created/);
    expect((await world.command(A, "/help"))?.text).toContain("/thread");
    expect(gate.released).toBe(false);
    gate.release();
    await world.says(A, "slow answer, finished");
  });

  it("keeps the last tool call and its arguments in the checkpoint, never its result", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    const gate = world.gw.model.hold({
      tools: [
        { name: "web_search", args: { q: "rent prices" }, result: { hits: "RESULT-SHOULD-NOT-BE-KEPT" } },
        { name: "sheet_write", args: { cell: "B2", value: 1200 }, result: "RESULT-SHOULD-NOT-BE-KEPT" },
      ],
      text: "written",
    });
    await world.message(A, "update the sheet");
    await gate.reached;
    const checkpoint = await until(() => {
      const c = world.store.state.checkpoints["budget-planning"];
      return c?.lastToolCall?.name === "sheet_write" ? c : undefined;
    }, "the tool events in the checkpoint");
    expect(checkpoint.lastToolCall?.args).toEqual({ cell: "B2", value: 1200 });
    expect(checkpoint.toolCalls.map((c) => [c.name, c.args])).toEqual([
      ["web_search", { q: "rent prices" }],
      ["sheet_write", { cell: "B2", value: 1200 }],
    ]);
    expect(checkpoint.status).toBe("running");
    gate.release();
    await world.says(A, "written");
    await quiet(world);
    const done = world.store.state.checkpoints["budget-planning"];
    expect(done?.status).toBe("done");
    expect(done?.lastToolCall?.name).toBe("sheet_write");
    expect(JSON.stringify(world.store.state)).not.toContain("RESULT-SHOULD-NOT-BE-KEPT");
  });

  it("splits a 10,000-character answer into messages within the channel's limit", async () => {
    const world = await startBot({ maxMessageLength: 2000 });
    await world.command(A, "/thread Budget Planning");
    world.gw.model.next({ chars: 10_000, chunks: 5, deltaIntervalMs: 15 });
    await world.message(A, "write a lot");
    const expected = splitMessage(fillerText(10_000), 2000);
    await world.console.waitFor(
      () =>
        world.console
          .in(A)
          .map((m) => m.text)
          .join("|") === expected.join("|"),
    );
    await quiet(world);
    const messages = world.console.in(A);
    expect(messages.length).toBeGreaterThanOrEqual(5);
    for (const message of messages) {
      expect(message.text.length).toBeLessThanOrEqual(2000);
      for (const shown of message.edits) expect(shown.length).toBeLessThanOrEqual(2000);
    }
    expect(world.streamProblems()).toEqual([]);
  });

  it("shows a model error as a one-line failure and closes the turn", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    world.gw.model.next({ error: "model exploded" });
    await world.message(A, "do it");
    await until(() => world.shown(A, "model exploded").length > 0, "the failure");
    await quiet(world);
    expect(world.store.state.checkpoints["budget-planning"]?.status).toBe("failed");
    world.message(A, "again");
    await world.says(A, "ECHO: again");
  });

  it("answers each conversation of a thread only in that conversation", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    await world.command(B, "/thread budget planning");
    await Promise.all([world.message(A, "from a"), world.message(B, "from b")]);
    await world.says(A, "ECHO: from a");
    await world.says(B, "ECHO: from b");
    await sleep(20);
    expect(world.console.in(A).map((m) => m.text)).toEqual(["ECHO: from a"]);
    expect(world.console.in(B).map((m) => m.text)).toEqual(["ECHO: from b"]);
  });
});
