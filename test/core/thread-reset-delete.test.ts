import { describe, expect, it } from "vitest";
import type { Reply } from "../../src/core/commands/command.ts";
import { chatSends, quiet, startBot, tempDir, USERS, until } from "./support/bot-harness.ts";
import { changesNothing, oneLine } from "./support/identity.ts";

/** The held answer's first words are shown and the message journaled (the turn's own write, done before the check). */
function answerShown(world: { store: { state: { journal: Record<string, { replyMessageId?: string }> } } }) {
  return until(() => Object.values(world.store.state.journal).some((e) => e.replyMessageId), "the answer's message");
}

const A = "console:a";
const B = "console:b";
const G = "telegram:-100";
const KEY = "agent:main:named:budget";

function yes(reply: Reply | undefined): string {
  return reply?.buttons?.[0]?.data ?? "";
}

function no(reply: Reply | undefined): string {
  return reply?.buttons?.[1]?.data ?? "";
}

describe("/thread reset", () => {
  it("asks with buttons; Reset by the asker clears the history under the same name, key and bindings", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget");
    world.message(A, "remember 42");
    await world.says(A, "ECHO: remember 42");
    await quiet(world);
    const sessionId = world.gw.session(KEY)?.row.sessionId;

    const asked = await changesNothingButTheQuestion(world, () => world.command(A, "/thread reset"));
    expect(asked?.text).toMatch(
      /^Reset "Budget"\? .* Only you can answer, within 2 minutes \(the buttons, or \/thread reset yes\)\.$/,
    );
    expect(asked?.buttons?.map((b) => b.label)).toEqual(["Reset", "Cancel"]);
    const done = await world.press(A, yes(asked));
    expect(done.text).toBe('"Budget" was reset: a new, empty history under the same name and key.');
    expect(world.gw.requestsOf("sessions.reset").map((r) => r.params)).toEqual([{ key: KEY, reason: "reset" }]);
    expect(world.gw.session(KEY)?.transcript).toEqual([]);
    expect(world.gw.session(KEY)?.row.sessionId).toBe(sessionId);
    expect(world.store.state.bindings[A]?.slug).toBe("budget");
    expect(world.store.state.checkpoints.budget).toBeUndefined();

    // Pressed again: acts once.
    expect((await world.press(A, yes(asked))).text).toBe("That question was already answered; nothing more to do.");
    expect(world.gw.requestsOf("sessions.reset")).toHaveLength(1);
    world.message(A, "after");
    await world.says(A, "ECHO: after");
    expect(chatSends(world.gw).at(-1)?.sessionKey).toBe(KEY);
  });

  it("only the asker may press; Cancel changes nothing; an expired question says so", async () => {
    const world = await startBot();
    await world.command(G, "/thread Budget", { sender: USERS.allowed });
    const asked = await world.command(G, "/thread reset", { sender: USERS.allowed });
    const foreign = await changesNothing(world, () => world.press(G, yes(asked), { sender: USERS.admin }));
    expect(foreign.text).toBe("Only the person who asked can answer this.");
    expect((await world.press(G, no(asked), { sender: USERS.allowed })).text).toBe("Cancelled; nothing changed.");
    expect(world.gw.requestsOf("sessions.reset")).toHaveLength(0);

    // Typed `yes` answers only the sender's own open question here.
    const typed = await changesNothing(world, () => world.command(G, "/thread reset yes", { sender: USERS.admin }));
    expect(oneLine(typed)).toBe("No /thread reset question of yours is open here; type /thread reset first.");
    const again = await world.command(G, "/thread reset", { sender: USERS.allowed });
    const id = Object.values(world.store.state.confirmations).find((c) => c.state === "open")?.id ?? "";
    await world.store.update({ confirmations: { [id]: { expiresAt: 1 } } });
    const expired = await changesNothing(world, () => world.press(G, yes(again), { sender: USERS.allowed }));
    expect(expired.text).toMatch(/has expired; nothing changed/);
  });

  it("a question from before a bot restart still works once; one cut short mid-way is never sent again", async () => {
    const storePath = `${await tempDir()}/threads.json`;
    const first = await startBot({ storePath });
    await first.command(A, "/thread Budget");
    const asked = await first.command(A, "/thread reset");
    const stuck = await first.command(A, "/thread reset");
    await first.stop();

    const second = await startBot({ gw: first.gw, storePath });
    // A crash after the claim and before (or after) sessions.reset: the record says so, nothing is resent.
    const stuckId = /tk:cf:([^:]+):y/.exec(yes(stuck))?.[1] ?? "";
    await second.store.update({ confirmations: { [stuckId]: { state: "acting" } } });
    const interrupted = await changesNothing(second, () => second.press(A, yes(stuck)));
    expect(interrupted.text).toMatch(/under way when the bot stopped; nothing was sent again/);
    expect((await second.press(A, yes(asked))).text).toMatch(/was reset/);
    expect((await second.press(A, yes(asked))).text).toMatch(/already answered/);
    expect(first.gw.requestsOf("sessions.reset")).toHaveLength(1);
  });

  it("refuses while a turn runs, with no thread here, and to a person without access; nothing changes", async () => {
    const world = await startBot();
    expect(oneLine(await changesNothing(world, () => world.command(A, "/thread reset")))).toMatch(/No thread is bound/);
    await world.command(A, "/thread Budget");
    const gate = world.gw.model.hold({ text: "slow answer" });
    world.message(A, "take your time");
    await world.gw.model.waitForHold();
    await answerShown(world);
    const busy = await changesNothing(world, () => world.command(A, "/thread reset"));
    expect(oneLine(busy)).toMatch(/^The agent is working on "Budget".*Nothing changed\.$/);
    gate.release();
    await world.says(A, "slow answer");
    await world.command(G, "/thread Budget", { sender: USERS.allowed });
    expect(
      await changesNothing(world, () => world.command(G, "/thread reset", { sender: USERS.stranger })),
    ).toBeUndefined();
    expect(oneLine(await changesNothing(world, () => world.command(A, "/thread reset now")))).toMatch(
      /^Type \/thread reset to be asked, then press Reset or type \/thread reset yes\.$/,
    );
  });
});

describe("/thread delete", () => {
  it("admins only; deletes the session, bindings, aliases; the name re-created is a new, empty session", async () => {
    const world = await startBot();
    await world.command(G, "/thread Budget", { sender: USERS.allowed });
    await world.command(A, "/thread Budget");
    await world.command(A, "/thread rename Finance");
    world.message(A, "remember 42");
    await world.says(A, "ECHO: remember 42");
    await quiet(world);
    const oldSession = world.gw.session(KEY)?.row.sessionId;

    const refused = await changesNothing(world, () => world.command(G, "/thread delete", { sender: USERS.allowed }));
    expect(oneLine(refused)).toBe("Only admins can use /thread delete.");
    const asked = await world.command(G, "/thread delete", { sender: USERS.admin });
    expect(asked?.text).toMatch(/^Delete "Finance"\? .*the name is free again/);
    const done = await world.press(G, yes(asked), { sender: USERS.admin });
    expect(done.text).toBe('"Finance" was deleted: its session and bindings are gone, and the name is free again.');
    expect(world.gw.requestsOf("sessions.delete").map((r) => r.params)).toEqual([{ key: KEY }]);
    expect(world.gw.session(KEY)).toBeUndefined();
    const state = world.store.state;
    expect([state.threads.budget, state.bindings[A], state.bindings[G], state.aliases.finance]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect((await world.press(G, yes(asked), { sender: USERS.admin })).text).toMatch(/already answered/);
    expect(world.gw.requestsOf("sessions.delete")).toHaveLength(1);

    // Both names are free again; the same name gets a new session with none of the old history.
    expect((await world.command(B, "/thread Budget"))?.text).toMatch(/^Created thread "Budget"/);
    expect(world.gw.session(KEY)?.row.sessionId).not.toBe(oldSession);
    expect(world.gw.session(KEY)?.transcript).toEqual([]);
    expect((await world.command(A, "/thread Finance"))?.text).toMatch(/^Created thread "Finance" \(finance\)/);
  });

  it("is refused while a turn runs (stop or finish it first), with no thread here; nothing changes", async () => {
    const world = await startBot();
    expect(oneLine(await changesNothing(world, () => world.command(A, "/thread delete")))).toMatch(
      /No thread is bound/,
    );
    await world.command(A, "/thread Budget");
    const asked = await world.command(A, "/thread delete");
    const gate = world.gw.model.hold({ text: "slow answer" });
    world.message(A, "take your time");
    await world.gw.model.waitForHold();
    await answerShown(world);
    expect(oneLine(await changesNothing(world, () => world.command(A, "/thread delete")))).toMatch(/is working on/);
    // A question asked before the turn started is refused too while it runs, and stays open.
    expect(oneLine(await changesNothing(world, () => world.press(A, yes(asked))))).toMatch(/is working on/);
    gate.release();
    await world.says(A, "slow answer");
    await until(() => !world.bot.relay.isActive("budget"), "the turn to end");
    await quiet(world);
    expect((await world.press(A, yes(asked))).text).toMatch(/was deleted/);
  });
});

/** Asking writes only the question record, and sends nothing to the gateway. */
async function changesNothingButTheQuestion(
  world: Awaited<ReturnType<typeof startBot>>,
  run: () => Promise<Reply | undefined>,
) {
  const threads = structuredClone(world.store.state.threads);
  const requests = world.gw.requests.length;
  const reply = await run();
  expect(world.store.state.threads).toEqual(threads);
  expect(world.gw.requests.slice(requests)).toEqual([]);
  expect(Object.values(world.store.state.confirmations).filter((c) => c.state === "open")).toHaveLength(1);
  return reply;
}
