import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { JournalEntry, Thread } from "../../src/core/model.ts";
import type { StorePort } from "../../src/core/ports.ts";
import { texts as words } from "../../src/core/texts.ts";
import { MemoryStore } from "../../src/store/index.ts";
import {
  chatSends,
  keysSentOnTwoBoots,
  quiet,
  sleep,
  startBot,
  startGateway,
  tempDir,
  until,
} from "./support/bot-harness.ts";

const A = "console:a";
const KEY = "agent:main:named:budget-planning";

function thread(now: number): Thread {
  return {
    slug: "budget-planning",
    name: "Budget Planning",
    agentId: "main",
    sessionKey: KEY,
    label: "Budget Planning",
    createdAt: now,
    createdBy: "console:tester",
    lastActivityAt: now,
    messageCount: 1,
    state: "idle",
  };
}

/** A store as a bot leaves it when it dies after journaling a message (and maybe marking it sent). */
function journaled(entry: Partial<JournalEntry> & { turnId: string }) {
  return async (store: StorePort) => {
    const now = Date.now();
    await store.update({
      seq: 1,
      threads: { "budget-planning": thread(now) },
      bindings: { [A]: { slug: "budget-planning", boundAt: now, boundBy: "console:tester" } },
      journal: {
        [entry.turnId]: {
          slug: "budget-planning",
          sessionKey: KEY,
          conversation: A,
          senderId: "console:tester",
          text: "journaled but never sent",
          kind: "message",
          createdAt: now,
          seq: 1,
          ...entry,
        },
      },
    });
  };
}

describe("bot restarts (JSON store on disk)", () => {
  it("a turn the gateway finished while the bot was down is delivered exactly once by the next bot", async () => {
    const path = join(await tempDir(), "threads.json");
    const gw = await startGateway();
    const first = await startBot({ gw, storePath: path });
    await first.command(A, "/thread Budget Planning");
    const gate = gw.model.hold({ text: "finished while the bot was away" });
    await first.message(A, "long task");
    await gate.reached;
    await first.stop();
    gate.release();
    await until(
      () => gw.session(KEY)?.transcript.some((r) => r.role === "assistant"),
      "the gateway to finish the turn",
    );

    const second = await startBot({ gw, storePath: path });
    await second.says(A, "finished while the bot was away");
    await quiet(second);
    await sleep(50);
    expect(second.shown(A, "finished while the bot was away")).toHaveLength(1);
    expect(first.shown(A, "finished while the bot was away")).toHaveLength(0);
    expect(chatSends(gw)).toHaveLength(1);
    expect(second.store.state.journal).toEqual({});
    expect(second.store.state.threads["budget-planning"]?.state).toBe("idle");
    expect(second.store.state.checkpoints["budget-planning"]?.status).toBe("done");
  });

  it("the next bot finishes the answer in the message the killed one had started, not in a second one", async () => {
    const path = join(await tempDir(), "threads.json");
    const gw = await startGateway();
    const first = await startBot({ gw, storePath: path });
    await first.command(A, "/thread Budget Planning");
    const gate = gw.model.hold({ text: "one answer, one message" });
    await first.message(A, "long task");
    await gate.reached;
    const partial = await until(
      () =>
        first.console.messages.find(
          (m) =>
            m.conversation === A &&
            m.edits.length > 0 &&
            !m.buttons.length &&
            m.text !== "" &&
            !m.text.startsWith("Created"),
        ),
      "the partial answer",
    );
    await until(() => Object.values(first.store.state.journal)[0]?.replyMessageId === partial.id, "its id journaled");
    await first.stop();
    gate.release();
    await until(() => gw.session(KEY)?.transcript.some((r) => r.role === "assistant"), "the gateway to finish");

    // The chat keeps what the first bot posted: the next bot runs on the same platform.
    const second = await startBot({ gw, storePath: path, channels: first });
    await second.says(A, "one answer, one message");
    await quiet(second);
    const answers = second.console.messages.filter((m) => m.conversation === A && m.text.includes("one answer"));
    expect(answers).toHaveLength(1);
    expect(answers[0]?.id).toBe(partial.id);
    expect(second.store.state.journal).toEqual({});
  });

  it("a turn still running when the next bot starts is followed to its end and delivered once", async () => {
    const path = join(await tempDir(), "threads.json");
    const gw = await startGateway();
    const first = await startBot({ gw, storePath: path });
    await first.command(A, "/thread Budget Planning");
    const gate = gw.model.hold({ text: "finished after the bot came back" });
    await first.message(A, "long task");
    await gate.reached;
    await first.stop();

    const second = await startBot({ gw, storePath: path });
    await sleep(50);
    expect((await second.command(A, "/thread"))?.text).toContain("running");
    gate.release();
    await second.says(A, "finished after the bot came back");
    await quiet(second);
    expect(second.shown(A, "finished after the bot came back")).toHaveLength(1);
    expect(chatSends(gw)).toHaveLength(1);
  });

  it("a journal entry never sent is sent once, with its own key, when the bot starts", async () => {
    const gw = await startGateway();
    gw.store.create({ key: KEY, label: "Budget Planning" });
    const world = await startBot({ gw, seed: journaled({ turnId: "11111111-1111-4111-8111-111111111111" }) });
    await world.says(A, "ECHO: journaled but never sent");
    await quiet(world);
    expect(chatSends(gw).map((s) => [s.idempotencyKey, s.message])).toEqual([
      ["11111111-1111-4111-8111-111111111111", "journaled but never sent"],
    ]);
  });

  it("an entry marked sent on this gateway boot that never reached it is sent once with the same key", async () => {
    const gw = await startGateway();
    gw.store.create({ key: KEY, label: "Budget Planning" });
    const turnId = "22222222-2222-4222-8222-222222222222";
    const world = await startBot({
      gw,
      seed: async (store) => {
        await journaled({ turnId, sentBootId: gw.bootId, sentAt: Date.now() })(store);
        await store.update({ gatewayBootId: gw.bootId });
      },
    });
    await world.says(A, "ECHO: journaled but never sent");
    await quiet(world);
    expect(chatSends(gw).map((s) => s.idempotencyKey)).toEqual([turnId]);
  });

  it("an unsent entry and one marked sent on this boot, same thread: sent one after the other, each answered once", async () => {
    const gw = await startGateway();
    gw.store.create({ key: KEY, label: "Budget Planning" });
    const unsent = "33333333-3333-4333-8333-333333333333";
    const marked = "44444444-4444-4444-8444-444444444444";
    gw.model.when(/^(first|second)$/, (turn) => ({ delayMs: 80, text: `answer to ${turn.message}` }));
    const world = await startBot({
      gw,
      seed: async (store) => {
        await journaled({ turnId: unsent, text: "first" })(store);
        const entry = { ...store.state.journal[unsent], turnId: marked, text: "second", seq: 2 };
        await store.update({
          seq: 2,
          gatewayBootId: gw.bootId,
          journal: { [marked]: { ...entry, sentBootId: gw.bootId, sentAt: Date.now() } } as never,
        });
      },
    });
    await until(
      () => world.store.state.journal[unsent] === undefined && world.store.state.journal[marked] === undefined,
      "both answered",
    );
    await quiet(world);
    const sends = chatSends(gw);
    expect(sends.map((s) => s.idempotencyKey).sort()).toEqual([unsent, marked].sort());
    // Never both in flight: the second chat.send came after the first one's final.
    const finals = gw.events.filter((e) => e.event === "chat" && e.payload.state === "final");
    const firstFinal = finals.find((f) => f.payload.runId === sends[0]?.idempotencyKey);
    expect(sends[1]?.at).toBeGreaterThanOrEqual(firstFinal?.at ?? Number.POSITIVE_INFINITY);
    expect(
      world.console
        .in(A)
        .map((m) => m.text)
        .sort(),
    ).toEqual(["answer to first", "answer to second"]);
  });

  it("an entry marked sent on an earlier gateway boot that never reached it goes out once under a fresh key", async () => {
    const gw = await startGateway();
    gw.store.create({ key: KEY, label: "Budget Planning" });
    const turnId = "33333333-3333-4333-8333-333333333333";
    const world = await startBot({
      gw,
      seed: async (store) => {
        await journaled({ turnId, sentBootId: "an-earlier-boot", sentAt: Date.now() })(store);
        await store.update({ gatewayBootId: "an-earlier-boot" });
      },
    });
    await world.says(A, "ECHO: journaled but never sent");
    await quiet(world);
    const sends = chatSends(gw);
    expect(sends).toHaveLength(1);
    expect(sends[0]?.idempotencyKey).not.toBe(turnId);
    expect(sends[0]?.message).toBe("journaled but never sent");
  });

  it("a bot restart while OpenClaw is still continuing a crash-cut turn: one notice, the answer once", async () => {
    const path = join(await tempDir(), "threads.json");
    const gw = await startGateway({ recovery: { delayMs: 20 } });
    const first = await startBot({ gw, storePath: path });
    await first.command(A, "/thread Budget Planning");
    const cut = gw.model.hold();
    await first.message(A, "long task");
    await cut.reached;
    const recovering = gw.model.hold({ text: "recovered in the end" });
    await gw.crash();
    await recovering.reached;
    await until(() => first.console.in(A).some((m) => m.buttons.length > 0), "the first bot's notice");
    await first.stop();
    const second = await startBot({ gw, storePath: path });
    recovering.release();
    await second.says(A, "recovered in the end");
    await quiet(second);
    expect(second.console.in(A).filter((m) => m.buttons.length > 0)).toEqual([]);
    expect(Object.values(second.store.state.notices)).toHaveLength(1);
    expect(second.shown(A, "recovered in the end")).toHaveLength(1);
    expect(second.store.state.threads["budget-planning"]?.state).toBe("idle");
    expect(chatSends(gw)).toHaveLength(1);
  });

  it("threads made under one resume policy keep working after the bot restarts with the other", async () => {
    const path = join(await tempDir(), "threads.json");
    const gw = await startGateway();
    const first = await startBot({ gw, storePath: path, policy: "auto" });
    await first.command(A, "/thread Made Under Auto");
    await first.stop();
    const second = await startBot({ gw, storePath: path, policy: "confirm-child" });
    await second.command("console:b", "/thread Made Under Confirm");
    await second.message(A, "still there?");
    await second.message("console:b", "and you?");
    await second.says(A, "ECHO: still there?");
    await second.says("console:b", "ECHO: and you?");
    expect(gw.session("agent:main:named:made-under-auto")?.row.spawnDepth).toBeUndefined();
    expect(gw.session("agent:main:named:made-under-confirm")?.row.spawnDepth).toBe(1);
    await quiet(second);
    await second.stop();
    const third = await startBot({ gw, storePath: path, policy: "auto" });
    await third.message("console:b", "after switching back");
    await third.says("console:b", "ECHO: after switching back");
  });

  it("a bot started while the gateway is down keeps running, queues messages and sends them once it is up", async () => {
    const probe = await startGateway();
    const port = probe.port;
    await probe.stop();
    const store = new MemoryStore();
    await journaled({ turnId: "44444444-4444-4444-8444-444444444444" })(store);
    await store.update({ journal: { "44444444-4444-4444-8444-444444444444": null } });
    const world = await startBot({ gw: probe, store, start: false });
    await expect(world.bot.start()).rejects.toMatchObject({ code: "GATEWAY_AWAY" });
    expect((await world.command("console:b", "/thread New One"))?.text).toMatch(/not reachable/);
    expect((await world.message(A, "while down"))?.text).toBe(words.queued);
    expect((await world.command(A, "/thread"))?.text).toContain("queued (1)");
    const gw = await startGateway({ port });
    gw.store.create({ key: KEY, label: "Budget Planning" });
    await world.says(A, "ECHO: while down", 8_000);
    await quiet(world);
    expect(chatSends(gw).map((s) => s.message)).toEqual(["while down"]);
  });

  it("a bot restart across a gateway crash: notice once, then the recovered answer once", async () => {
    const path = join(await tempDir(), "threads.json");
    const gw = await startGateway({ recovery: { delayMs: 100 } });
    const first = await startBot({ gw, storePath: path });
    await first.command(A, "/thread Budget Planning");
    const gate = gw.model.hold();
    await first.message(A, "long task");
    await gate.reached;
    await first.stop();
    await gw.crash();
    const second = await startBot({ gw, storePath: path });
    await second.says(A, "RECOVERED: long task");
    await quiet(second);
    expect(second.console.in(A).filter((m) => m.buttons.length > 0)).toHaveLength(1);
    expect(second.shown(A, "RECOVERED: long task")).toHaveLength(1);
    expect(chatSends(gw)).toHaveLength(1);
    expect(keysSentOnTwoBoots(gw)).toEqual([]);
  });
});
