import { describe, expect, it } from "vitest";
import { chatSends, keysSentOnTwoBoots, notices, quiet, sleep, startBot, until } from "./support/bot-harness.ts";

const A = "console:a";
const B = "console:b";
const KEY = "agent:main:named:budget-planning";
const ROOT = "agent:main:threadkeeper:root";

/**
 * A thread's turn cut by a crash, with its notice posted. OpenClaw's recovery is on: it skips children
 * (confirm-child), and under confirm its re-run is admitted 30 ms after boot and would reach the model 300 ms
 * later, unless the bot takes it back at its admission.
 */
async function interrupted(options: { task?: string; policy?: "confirm" | "confirm-child" } = {}) {
  const recovery = { delayMs: 30, modelDelayMs: 300, readmitMs: 100 };
  const world = await startBot({ policy: options.policy ?? "confirm", gateway: { recovery } });
  await world.command(A, "/thread Budget Planning");
  world.message(A, "warm up");
  await world.says(A, "ECHO: warm up");
  await quiet(world);
  const gate = world.gw.model.hold({ tools: [{ name: "invoice_send", args: { to: "acme" } }] });
  const task = options.task ?? "send the invoices";
  await world.message(A, task);
  await gate.reached;
  await until(() => world.store.state.checkpoints["budget-planning"]?.lastToolCall?.name === "invoice_send", "tool");
  await world.gw.crash();
  const notice = await until(() => notices(world, A)[0], "the notice");
  await world.bot.recovery.idle();
  const stored = Object.values(world.store.state.notices)[0];
  if (!stored) throw new Error("no stored notice");
  return { world, notice, stored, task };
}

describe("confirm-child: threads are child sessions of the bot's root", () => {
  it("threads are children of the bot's root session", async () => {
    const world = await startBot({ policy: "confirm-child" });
    await world.command(A, "/thread Budget Planning");
    const creates = world.gw.requestsOf("sessions.create").map((r) => r.params);
    expect(creates).toEqual([
      { key: ROOT, label: "threadkeeper root (main)" },
      { key: KEY, label: "Budget Planning", parentSessionKey: ROOT, spawnDepth: 1 },
    ]);
    expect(world.store.state.threads["budget-planning"]?.parentSessionKey).toBe(ROOT);
  });

  it("makes its root session again when an operator deleted it while the bot ran", async () => {
    const world = await startBot({ policy: "confirm-child" });
    await world.command(A, "/thread first");
    world.gw.store.delete(ROOT);
    const reply = await world.command(A, "/thread second");
    expect(reply?.text).toMatch(/^Created thread "second"/);
    expect(world.gw.store.get(ROOT)).toBeDefined();
    expect(world.gw.store.get("agent:main:named:second")?.parentSessionKey).toBe(ROOT);
  });
});

describe.each(["confirm", "confirm-child"] as const)("%s: a crash-cut turn waits for the person", (policy) => {
  it("posts exactly one notice with Resume, sends nothing until Resume, then one continuation under a new key", async () => {
    const { world, notice, task } = await interrupted({ policy });
    expect(notice.buttons.map((b) => b.label)).toEqual(["Resume"]);
    expect(notice.text).toContain('thread "Budget Planning"');
    expect(notice.text).toContain(`Task: ${task}`);
    expect(notice.text).toContain('Last step: invoice_send({"to":"acme"})');
    expect(notice.text).toContain("May run again on continuing: invoice_send");
    expect(notice.text).toContain("Resume policy: confirm — nothing continues until you say so.");
    expect(world.store.state.threads["budget-planning"]?.state).toBe("awaiting-resume");
    const shown = (await world.command(A, "/thread"))?.text;
    expect(shown).toContain("awaiting resume");
    expect(shown).toContain("Resume policy: confirm (a turn a crash cuts short waits for you).");
    await sleep(150);
    expect(notices(world, A)).toHaveLength(1);
    expect(chatSends(world.gw)).toHaveLength(2);
    expect(world.gw.model.turns).toHaveLength(2);

    const reply = await world.press(A, notice.buttons[0]?.data ?? "");
    expect(reply.text).toBe('Resuming "Budget Planning".');
    await until(() => chatSends(world.gw).length === 3, "the continuation");
    const [warm, cut, resumed] = chatSends(world.gw);
    expect(resumed?.sessionKey).toBe(KEY);
    expect(resumed?.sessionKey).toBe(cut?.sessionKey);
    expect(resumed?.idempotencyKey).not.toBe(cut?.idempotencyKey);
    expect(resumed?.idempotencyKey).not.toBe(warm?.idempotencyKey);
    expect(resumed?.bootId).toBe(world.gw.bootId);
    expect(resumed?.message).toContain("interrupted");
    expect(resumed?.message).toContain(task);
    expect(resumed?.message).toContain('invoice_send({"to":"acme"})');
    await until(() => world.shown(A, /^ECHO: Your previous turn was interrupted/).length === 1, "the answer");
    await quiet(world);
    expect(world.store.state.threads["budget-planning"]?.state).toBe("idle");
    expect(notices(world, A)).toHaveLength(1);
    // The same session (and sessionId) continues with its history.
    const transcript = world.gw.session(KEY)?.transcript ?? [];
    // OpenClaw's own prompt of a re-run the bot took back (confirm) is not the person's.
    const persons = transcript.filter((r) => r.role === "user" && r.__openclaw.senderIsOwner !== false);
    expect(persons.map((r) => r.content)).toEqual(["warm up", task, resumed?.message]);
    expect(keysSentOnTwoBoots(world.gw)).toEqual([]);
  });

  it("a second press, /resume afterwards, a press from another conversation and garbage data send nothing", async () => {
    const { world, notice } = await interrupted({ policy });
    await world.command(B, "/thread budget planning");
    const data = notice.buttons[0]?.data ?? "";

    let requests = world.gw.requests.length;
    const foreign = await world.press(B, data);
    expect(foreign.text).toMatch(/another conversation/);
    expect(world.gw.requests.slice(requests)).toEqual([]);

    for (const garbage of ["", "hello", "tk:resume:", "tk:resume:nope!", "tk:launch:abc", "x".repeat(500)]) {
      const reply = await world.press(A, garbage);
      expect(reply.text).toMatch(/not one of this bot's|expired/);
    }
    const unknown = await world.press(A, "tk:resume:AAAAAAAAAAA");
    expect(unknown.text).toMatch(/old or unknown/);
    expect(world.gw.requests.slice(requests)).toEqual([]);

    await world.press(A, data);
    await until(() => chatSends(world.gw).length === 3, "the continuation");
    await quiet(world);
    requests = world.gw.requests.length;
    const second = await world.press(A, data);
    expect(second.text).toMatch(/already continued/);
    const slash = await world.command(A, "/resume");
    expect(slash?.text).toMatch(/Nothing to resume/);
    const named = await world.command(B, "/resume budget planning");
    expect(named?.text).toMatch(/Nothing to resume/);
    for (const text of [second.text, slash?.text, named?.text]) expect(text).not.toContain("\n");
    expect(world.gw.requests.slice(requests)).toEqual([]);
    expect(chatSends(world.gw)).toHaveLength(3);
  });

  it("two presses at the same moment continue the turn once", async () => {
    const { world, notice } = await interrupted({ policy });
    const data = notice.buttons[0]?.data ?? "";
    const replies = await Promise.all([world.press(A, data), world.press(A, data), world.command(A, "/resume")]);
    expect(replies.filter((r) => r?.text.startsWith("Resuming"))).toHaveLength(1);
    await until(() => chatSends(world.gw).length >= 3, "the continuation");
    await quiet(world);
    await sleep(50);
    expect(chatSends(world.gw)).toHaveLength(3);
  });

  it("Resume while the gateway is away says so, changes nothing, and works once it is back", async () => {
    const { world, notice } = await interrupted({ policy });
    const back = world.gw.crash({ downMs: 300 });
    await until(() => !world.client.connected, "the client to see the gateway go");
    const before = structuredClone(world.store.state);
    const reply = await world.press(A, notice.buttons[0]?.data ?? "");
    expect(reply.text).toMatch(/not reachable/);
    expect(world.store.state).toEqual(before);
    await back;
    await until(() => world.client.connected && world.client.bootId === world.gw.bootId, "reconnect");
    await world.bot.recovery.idle();
    expect((await world.press(A, notice.buttons[0]?.data ?? "")).text).toMatch(/^Resuming/);
    await until(() => chatSends(world.gw).length === 3, "the continuation");
    await quiet(world);
    expect(keysSentOnTwoBoots(world.gw)).toEqual([]);
  });

  it("/resume with nothing interrupted answers briefly and sends nothing", async () => {
    const world = await startBot({ policy });
    await world.command(A, "/thread Budget Planning");
    const requests = world.gw.requests.length;
    const reply = await world.command(A, "/resume");
    expect(reply?.text).toBe("Nothing to resume: no turn of this thread is interrupted.");
    expect((await world.command(A, "/resume nosuchthread"))?.text).toMatch(/Nothing to resume/);
    expect(world.gw.requests.slice(requests)).toEqual([]);
  });

  it("/resume continues like the button", async () => {
    const { world } = await interrupted({ policy });
    expect((await world.command(A, "/resume"))?.text).toBe('Resuming "Budget Planning".');
    await until(() => chatSends(world.gw).length === 3, "the continuation");
    await quiet(world);
    expect(chatSends(world.gw)[2]?.sessionKey).toBe(KEY);
  });

  it("a reply to the notice resumes with the reply's text as the person's instruction", async () => {
    const { world, notice, stored } = await interrupted({ policy });
    expect(stored.messageId).toBe(notice.id);
    const reply = await world.message(A, "skip March", { replyTo: notice.id });
    expect(reply?.text).toBe('Resuming "Budget Planning".');
    await until(() => chatSends(world.gw).length === 3, "the continuation");
    const resumed = chatSends(world.gw)[2];
    expect(resumed?.message).toContain("skip March");
    expect(resumed?.sessionKey).toBe(KEY);
    // The reply itself is not also sent as a message.
    await quiet(world);
    expect(chatSends(world.gw)).toHaveLength(3);
    expect(chatSends(world.gw).some((s) => s.message === "skip March")).toBe(false);
  });

  it("a reply to a notice already used is an ordinary message to the thread, not swallowed", async () => {
    const { world, notice } = await interrupted({ policy });
    await world.press(A, notice.buttons[0]?.data ?? "");
    await until(() => chatSends(world.gw).length === 3, "the continuation");
    await quiet(world);
    const reply = await world.message(A, "one more thing", { replyTo: notice.id });
    expect(reply).toBeUndefined();
    await world.says(A, "ECHO: one more thing");
    await quiet(world);
    expect(
      chatSends(world.gw)
        .map((s) => s.message)
        .at(-1),
    ).toBe("one more thing");
  });

  it("a message accepted while a Resume is being sent is counted too", async () => {
    const { world, notice } = await interrupted({ policy });
    await world.command(B, "/thread budget planning");
    const before = world.store.state.threads["budget-planning"]?.messageCount ?? 0;
    world.gw.fault("chat.history", { delayMs: 100 });
    const resuming = world.press(A, notice.buttons[0]?.data ?? "");
    await world.gw.waitForRequest("chat.history", () => true, { after: world.gw.requests.length });
    await world.message(B, "meanwhile");
    await resuming;
    await until(() => chatSends(world.gw).length === 4, "both sends");
    await quiet(world);
    expect(world.store.state.threads["budget-planning"]?.messageCount).toBe(before + 2);
  });

  it("a message written after the notice (not a reply) goes to the thread; the notice still resumes once", async () => {
    const { world, notice } = await interrupted({ policy });
    await world.message(A, "are you there?");
    await world.says(A, "ECHO: are you there?");
    await quiet(world);
    const before = chatSends(world.gw).length;
    expect((await world.press(A, notice.buttons[0]?.data ?? "")).text).toMatch(/^Resuming/);
    await until(() => chatSends(world.gw).length === before + 1, "the continuation");
    await quiet(world);
    expect(keysSentOnTwoBoots(world.gw)).toEqual([]);
  });
});

describe("tombstoned sessions", () => {
  it("a notice with Recover moves the thread to the recovered session, its label with it, and delivers the continuation", async () => {
    const world = await startBot({ policy: "auto" });
    await world.command(A, "/thread Budget Planning");
    world.message(A, "first");
    await world.says(A, "ECHO: first");
    await quiet(world);
    const gate = world.gw.model.hold();
    await world.message(A, "the cut task");
    await gate.reached;
    // Three crashes at recovery admission leave the session tombstoned.
    const crashing = world.gw.crash({ downMs: 80 });
    await until(() => world.gw.bootId === undefined, "the gateway to go down");
    world.gw.tombstone(KEY);
    await crashing;
    const notice = await until(() => notices(world, A)[0], "the notice");
    expect(notice.buttons.map((b) => b.label)).toEqual(["Recover"]);
    expect(notice.text).toContain("Task: the cut task");
    expect(world.store.state.threads["budget-planning"]?.state).toBe("interrupted");
    expect(chatSends(world.gw)).toHaveLength(2);

    const reply = await world.press(A, notice.buttons[0]?.data ?? "");
    expect(reply.text).toMatch(/^Recovering "Budget Planning"/);
    expect(world.gw.requestsOf("sessions.recover").map((r) => r.params)).toEqual([{ key: KEY }]);
    await world.says(A, "RECOVERED: the cut task");
    await quiet(world);
    const thread = world.store.state.threads["budget-planning"];
    const newKey = thread?.sessionKey ?? "";
    expect(newKey).toMatch(/^agent:main:dashboard:/);
    expect(thread?.state).toBe("idle");
    expect(world.gw.session(newKey)?.row.label).toBe("Budget Planning");
    expect(world.gw.session(KEY)?.row.label).toBeUndefined();
    expect(world.shown(A, "RECOVERED: the cut task")).toHaveLength(1);

    // Pressing Recover again sends nothing.
    const requests = world.gw.requests.length;
    expect((await world.press(A, notice.buttons[0]?.data ?? "")).text).toMatch(/already continued/);
    expect(world.gw.requests.slice(requests)).toEqual([]);

    // /thread <name> afterwards reaches the new session, from anywhere.
    expect((await world.command(B, "/thread budget planning"))?.text).toMatch(/^Attached/);
    await world.message(B, "after recovery");
    await world.says(B, "ECHO: after recovery");
    expect(chatSends(world.gw).at(-1)?.sessionKey).toBe(newKey);
    world.message(A, "and from a");
    await world.says(A, "ECHO: and from a");
    expect(chatSends(world.gw).at(-1)?.sessionKey).toBe(newKey);
    const history = world.gw.session(newKey)?.transcript.map((r) => r.content) ?? [];
    expect(history).toContain("first");
    expect(keysSentOnTwoBoots(world.gw)).toEqual([]);
  });
});
