import { describe, expect, it } from "vitest";
import type { BotUnderTest } from "./support/bot-harness.ts";
import { quiet, sleep, startBot, startGateway, USERS, until } from "./support/bot-harness.ts";

const GROUP = "telegram:-100";
const KEY = "agent:main:named:ops";

/** Starts a bot with thread "ops" bound in GROUP, and a model whose next turn runs `ls` behind an approval. */
async function opsWorld(options: { allowAlways?: boolean; timeoutMs?: number } = {}) {
  const world = await startBot();
  await world.command(GROUP, "/thread ops", { sender: USERS.allowed });
  const allowedDecisions = options.allowAlways
    ? (["allow-once", "allow-always", "deny"] as const)
    : (["allow-once", "deny"] as const);
  world.gw.model.next({
    text: "Listed.",
    tools: [
      {
        name: "exec",
        args: { command: "ls -la /srv" },
        approval: { command: "ls -la /srv", allowedDecisions: [...allowedDecisions], timeoutMs: options.timeoutMs },
      },
    ],
  });
  return world;
}

async function approvalMessage(world: BotUnderTest) {
  return until(() => world.shown(GROUP, /asks to run a command/)[0], "the approval message");
}

function resolves(world: BotUnderTest) {
  return world.gw.requestsOf("exec.approval.resolve").map((r) => r.params);
}

describe("exec approvals in the conversation", () => {
  it("shows one approval where the turn started; Approve once runs the command and the answer arrives", async () => {
    const world = await opsWorld();
    await world.message(GROUP, "list the files", { sender: USERS.allowed });
    const shown = await approvalMessage(world);
    expect(shown.text).toBe(
      '🔐 The agent in "ops" asks to run a command:\nls -la /srv\nin /workspace · agent main · expires ' +
        shown.text.split("expires ")[1],
    );
    expect(shown.buttons.map((b) => b.label)).toEqual(["Approve once", "Deny"]);
    const reply = await world.press(GROUP, shown.buttons[0]?.data ?? "", { sender: USERS.allowed });
    expect(reply.text).toBe("✅ Approved once.");
    await world.says(GROUP, "Listed.");
    expect(shown.text).toMatch(/\n\n✅ Approved once by telegram:200\.$/);
    expect(shown.buttons).toEqual([]);
    expect(resolves(world)).toHaveLength(1);
    expect(world.shown(GROUP, /asks to run a command/)).toHaveLength(1);
  });

  it("Deny: the model gets the denial, the message says who denied", async () => {
    const world = await opsWorld();
    await world.message(GROUP, "list the files", { sender: USERS.allowed });
    const shown = await approvalMessage(world);
    await world.press(GROUP, shown.buttons[1]?.data ?? "", { sender: USERS.allowed });
    await world.says(GROUP, "Listed.");
    expect(JSON.stringify(world.gw.model.turns.at(-1)?.toolResults)).toContain("user-denied");
    expect(shown.text).toMatch(/⛔ Denied by telegram:200\.$/);
  });

  it("a stranger's or another member's press changes nothing; an admin may answer; a second press is answered once", async () => {
    const world = await opsWorld({ allowAlways: true });
    await world.message(GROUP, "list the files", { sender: USERS.allowed });
    const shown = await approvalMessage(world);
    expect(shown.buttons.map((b) => b.label)).toEqual(["Approve once", "Always", "Deny"]);
    const approve = shown.buttons[0]?.data ?? "";
    expect((await world.press(GROUP, approve, { sender: USERS.stranger })).text).toBe(
      "You are not allowed to use this bot.",
    );
    const other = "telegram:201";
    expect((await world.press(GROUP, approve, { sender: other })).text).toBe("You are not allowed to use this bot.");
    expect(resolves(world)).toEqual([]);
    const [first, second] = await Promise.all([
      world.press(GROUP, shown.buttons[1]?.data ?? "", { sender: USERS.admin }),
      world.press(GROUP, approve, { sender: USERS.admin }),
    ]);
    expect(first.text).toBe("✅ Approved always.");
    expect(second.text).toMatch(
      /^(That approval is being answered right now\.|Already decided: ✅ Approved always by telegram:300\.)$/,
    );
    expect(resolves(world)).toEqual([{ id: expect.any(String), decision: "allow-always" }]);
    await world.says(GROUP, "Listed.");
    expect((await world.press(GROUP, approve, { sender: USERS.admin })).text).toBe(
      "Already decided: ✅ Approved always by telegram:300.",
    );
    expect(resolves(world)).toHaveLength(1);
  });

  it("an allowed member who did not start the turn may not answer (APPROVERS=requester)", async () => {
    const world = await opsWorld();
    await world.message(GROUP, "list the files", { sender: USERS.admin });
    const shown = await approvalMessage(world);
    expect((await world.press(GROUP, shown.buttons[0]?.data ?? "", { sender: USERS.allowed })).text).toBe(
      "Only the person whose message started this turn, or an admin, can answer this approval.",
    );
    expect((await world.press("telegram:-200", shown.buttons[0]?.data ?? "", { sender: USERS.admin })).text).toBe(
      "That button belongs to another conversation.",
    );
    expect(resolves(world)).toEqual([]);
    expect(shown.buttons).toHaveLength(2);
  });

  it("a decision made elsewhere (another client) is written under the request", async () => {
    const world = await opsWorld();
    await world.message(GROUP, "list the files", { sender: USERS.allowed });
    const shown = await approvalMessage(world);
    const [pending] = world.gw.approvals.pending();
    world.gw.approvals.resolve(String(pending?.id), "deny", "control-ui");
    await until(() => shown.text.endsWith("⛔ Denied by control-ui."), "the edit");
    expect(shown.buttons).toEqual([]);
  });

  it("an expired approval shows as expired", async () => {
    const world = await opsWorld({ timeoutMs: 200 });
    await world.message(GROUP, "list the files", { sender: USERS.allowed });
    const shown = await approvalMessage(world);
    await until(() => shown.text.includes("⌛ Expired"), "the expiry", 5_000);
    expect((await world.press(GROUP, shown.buttons[0]?.data ?? "", { sender: USERS.allowed })).text).toMatch(
      /^(That button|Already decided: ⌛ Expired)/,
    );
  });

  it("a bot restart while it is pending: shown once (not again), and the old button still works", async () => {
    const gw = await startGateway();
    const first = await startBot({ gw });
    await first.command(GROUP, "/thread ops", { sender: USERS.allowed });
    gw.model.next({ text: "Listed.", tools: [{ name: "exec", args: {}, approval: { command: "ls" } }] });
    await first.message(GROUP, "list the files", { sender: USERS.allowed });
    const shown = await approvalMessage(first);
    const store = first.store;
    first.bot.relay.release();
    await first.bot.stop();
    const second = await startBot({ gw, store });
    second.telegram.messages.push(shown); // the platform still has the message the first bot posted
    await second.bot.recovery.idle();
    await until(
      () => second.gw.requestsOf("exec.approval.list").length >= 2,
      "the second bot's look at the pending list",
    );
    await sleep(50);
    expect(second.shown(GROUP, /asks to run a command/)).toHaveLength(1);
    await second.press(GROUP, shown.buttons[0]?.data ?? "", { sender: USERS.allowed });
    await until(() => shown.text.includes("✅ Approved once"), "the edit after the restart");
    await second.says(GROUP, "Listed.");
    expect(resolves(second)).toHaveLength(1);
  });

  it("a gateway crash cancels it, and the message says so", async () => {
    const world = await opsWorld();
    await world.message(GROUP, "list the files", { sender: USERS.allowed });
    const shown = await approvalMessage(world);
    await world.gw.crash();
    await until(() => shown.text.includes("✖ Cancelled"), "the cancellation", 5_000);
  });

  it("forgets decided approvals a week old when it connects, and keeps pending and recent ones", async () => {
    const day = 24 * 3_600_000;
    const record = (id: string, state: "pending" | "deny", age: number) => ({
      id,
      slug: "ops",
      conversation: GROUP,
      buttonId: `b${id}`,
      text: "🔐",
      allowed: ["allow-once" as const, "deny" as const],
      createdAt: Date.now() - age,
      state,
    });
    const world = await startBot({
      seed: (store) =>
        store.update({
          approvals: {
            old: record("old", "deny", 8 * day),
            recent: record("recent", "deny", day),
            waiting: record("waiting", "pending", 8 * day),
          },
        }),
    });
    await until(() => world.store.state.approvals.old === undefined, "the old record gone");
    expect(Object.keys(world.store.state.approvals).sort()).toEqual(["recent", "waiting"]);
  });

  it("ignores an approval for a session no thread owns", async () => {
    const world = await startBot();
    world.gw.store.create({ key: KEY.replace("ops", "stranger"), label: "other" });
    void world.gw.approvals.ask({ sessionKey: "agent:main:named:stranger", runId: "r1", command: "rm -rf /" });
    await quiet(world);
    expect(world.telegram.messages).toEqual([]);
    expect(world.console.messages).toEqual([]);
  });

  it("/approve and /deny answer the newest approval waiting here (the console has no buttons)", async () => {
    const world = await startBot();
    await world.command("console:a", "/thread ops");
    world.gw.model.next({ text: "Listed.", tools: [{ name: "exec", args: {}, approval: { command: "ls" } }] });
    await world.message("console:a", "list");
    await until(() => world.shown("console:a", /asks to run/)[0], "the approval");
    expect((await world.command("console:a", "/approve always"))?.text).toBe(
      "OpenClaw does not offer that answer for this command.",
    );
    expect((await world.command("console:a", "/approve"))?.text).toBe("✅ Approved once.");
    await world.says("console:a", "Listed.");
    expect((await world.command("console:a", "/deny"))?.text).toBe("No approval is waiting in this conversation.");
  });
});
