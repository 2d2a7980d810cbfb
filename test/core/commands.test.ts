import { describe, expect, it } from "vitest";
import { slugify } from "../../src/core/keys/thread-slug.ts";
import { type BotUnderTest, chatSends, quiet, sleep, startBot, USERS, until } from "./support/bot-harness.ts";

const A = "console:a";
const B = "console:b";
const ROOT = "agent:main:threadkeeper:root";

function creates(world: BotUnderTest) {
  return world.gw.requestsOf("sessions.create").map((r) => r.params as { key: string; label?: string });
}

/** Runs `run`; asserts the store is deep-equal before and after and the gateway got no request but `reads`. */
async function changesNothing<T>(world: BotUnderTest, run: () => Promise<T>, reads: string[] = []): Promise<T> {
  const before = structuredClone(world.store.state);
  const requests = world.gw.requests.length;
  const result = await run();
  await sleep(30);
  expect(world.store.state).toEqual(before);
  const methods = world.gw.requests.slice(requests).map((r) => r.method);
  expect(methods.filter((m) => !reads.includes(m))).toEqual([]);
  return result;
}

function oneLine(text: string | undefined): string {
  expect(text).toBeTruthy();
  expect(text).not.toContain("\n");
  return text ?? "";
}

describe("/thread", () => {
  it("creates a named session with its label and binds the conversation", async () => {
    const world = await startBot();
    const reply = await world.command(A, "/thread Budget Planning");
    expect(reply?.text).toMatch(/^Created thread "Budget Planning" \(budget-planning\) here\./);
    expect(creates(world)).toEqual([{ key: "agent:main:named:budget-planning", label: "Budget Planning" }]);
    const row = world.gw.session("agent:main:named:budget-planning")?.row;
    expect(row?.label).toBe("Budget Planning");
    const thread = world.store.state.threads["budget-planning"];
    expect(thread).toMatchObject({
      name: "Budget Planning",
      sessionKey: "agent:main:named:budget-planning",
      label: "Budget Planning",
      state: "idle",
    });
    expect(world.store.state.bindings[A]?.slug).toBe("budget-planning");

    world.message(A, "hello");
    await world.says(A, "ECHO: hello");
  });

  it("re-attaches the same thread by any spelling from another conversation, without a second session", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    const reply = await world.command(B, "/thread budget_planning");
    expect(reply?.text).toMatch(/^Attached thread "Budget Planning" \(budget-planning\) here\./);
    expect(Object.keys(world.store.state.threads)).toEqual(["budget-planning"]);
    expect(world.store.state.bindings[B]?.slug).toBe("budget-planning");
    expect(world.store.state.bindings[A]?.slug).toBe("budget-planning");
    // Every create named the one key; the gateway holds one named session.
    expect(new Set(creates(world).map((c) => c.key))).toEqual(new Set(["agent:main:named:budget-planning"]));
    expect(world.gw.store.all().filter((s) => s.key.includes(":named:"))).toHaveLength(1);

    await world.command(B, "/thread BUDGET-PLANNING");
    world.message(B, "from b");
    await world.says(B, "ECHO: from b");
    expect(chatSends(world.gw).map((s) => s.sessionKey)).toEqual(["agent:main:named:budget-planning"]);
    // The answer goes back where the message came from only.
    expect(world.shown(A, "ECHO")).toEqual([]);
  });

  it("shows the bound thread with its status and checkpoint", async () => {
    const world = await startBot();
    expect(oneLine((await world.command(A, "/thread"))?.text)).toMatch(/No thread is bound here/);
    await world.command(A, "/thread Budget Planning");
    world.gw.model.next({
      tools: [{ name: "sheet_read", args: { range: "A1:B9" } }],
      text: "Done.\nNext: send the totals",
    });
    await world.message(A, "read the sheet");
    await world.says(A, "Done.\nNext: send the totals");
    await until(() => world.store.state.checkpoints["budget-planning"]?.status === "done", "checkpoint done");
    const text = (await world.command(A, "/thread"))?.text ?? "";
    expect(text).toContain('Thread "Budget Planning" (budget-planning): idle.');
    expect(text).toContain("1 message(s)");
    expect(text).toMatch(/Checkpoint \(.*, done\): task "read the sheet"/);
    expect(text).toContain('Last step: sheet_read({"range":"A1:B9"})');
    expect(text).toContain("Next: send the totals");
    expect(text).toContain("Resume policy: auto (OpenClaw continues a turn a crash cuts short by itself).");
  });

  it("a re-attach while a turn of the thread ends does not roll the thread back", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    const gate = world.gw.model.hold({ text: "done meanwhile" });
    await world.message(A, "work");
    await gate.reached;
    // The gateway is slow to answer the re-attach; the turn ends and another message arrives meanwhile.
    world.gw.fault("sessions.create", { delayMs: 150 });
    const attaching = world.command(B, "/thread budget planning");
    await world.gw.waitForRequest("sessions.create", () => true, { after: 2 });
    gate.release();
    await world.says(A, "done meanwhile");
    await quiet(world);
    await world.message(A, "one more");
    await world.says(A, "ECHO: one more");
    await quiet(world);
    expect((await attaching)?.text).toMatch(/^Attached/);
    const thread = world.store.state.threads["budget-planning"];
    expect(thread?.state).toBe("idle");
    expect(thread?.messageCount).toBe(2);
    expect((await world.command(B, "/thread"))?.text).toContain(": idle.");
  });

  it("/thread off unbinds this conversation only; the thread and its session stay", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    await world.command(B, "/thread Budget Planning");
    const requests = world.gw.requests.length;
    const reply = await world.command(A, "/thread off");
    expect(oneLine(reply?.text)).toMatch(/^Unbound "Budget Planning"/);
    expect(world.store.state.bindings[A]).toBeUndefined();
    expect(world.store.state.bindings[B]?.slug).toBe("budget-planning");
    expect(world.store.state.threads["budget-planning"]).toBeDefined();
    expect(world.gw.session("agent:main:named:budget-planning")).toBeDefined();
    expect(world.gw.requests.slice(requests)).toEqual([]);
    // Messages in the unbound conversation go nowhere.
    expect((await world.message(A, "anyone?"))?.text).toMatch(/No thread is bound here/);
    expect(chatSends(world.gw)).toEqual([]);
    // Off again: nothing bound, nothing changes.
    expect(oneLine((await changesNothing(world, () => world.command(A, "/thread OFF")))?.text)).toBe(
      "No thread is bound here.",
    );
  });

  it("resolves a label clash with another session deterministically and says so", async () => {
    const world = await startBot();
    world.gw.store.create({ key: "agent:main:dashboard:someone-else", label: "Budget Planning" });
    const reply = await world.command(A, "/thread Budget Planning");
    expect(reply?.text).toContain('labelled "Budget Planning (budget-planning)"');
    expect(world.gw.session("agent:main:named:budget-planning")?.row.label).toBe("Budget Planning (budget-planning)");
    expect(world.gw.session("agent:main:dashboard:someone-else")?.row.label).toBe("Budget Planning");
    expect(world.store.state.threads["budget-planning"]?.label).toBe("Budget Planning (budget-planning)");
  });

  it("unarchives a session OpenClaw archived when the thread is re-attached", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    const record = world.gw.store.get("agent:main:named:budget-planning");
    if (!record) throw new Error("no session");
    record.archived = true;
    record.archiveReason = "maintenance";
    await world.command(B, "/thread budget planning");
    expect(world.gw.session("agent:main:named:budget-planning")?.row.archived).toBe(false);
    const patch = world.gw.requestsOf("sessions.patch").map((r) => r.params);
    expect(patch).toEqual([
      { key: "agent:main:named:budget-planning", archived: false, expectedSessionId: record.sessionId },
    ]);
    world.message(B, "still there?");
    await world.says(B, "ECHO: still there?");
  });

  it("gives emoji-only and non-Latin names their stable hashed slug", async () => {
    const world = await startBot();
    const reply = await world.command(A, "/thread 🚀🚀");
    const slug = slugify("🚀🚀");
    expect(slug).toMatch(/^t-[a-z2-7]{10}$/);
    expect(reply?.text).toContain(`(${slug})`);
    expect(world.store.state.threads[slug]?.sessionKey).toBe(`agent:main:named:${slug}`);
    expect(world.gw.session(`agent:main:named:${slug}`)?.row.label).toBe("🚀🚀");
    await world.command(B, "/thread Бюджет");
    const cyrillic = slugify("Бюджет");
    expect(cyrillic).toMatch(/^t-[a-z2-7]{10}$/);
    expect(cyrillic).not.toBe(slug);
    expect(world.store.state.bindings[B]?.slug).toBe(cyrillic);
    // Same name again: same slug, re-attached.
    expect((await world.command(B, "/thread бюджет"))?.text).toMatch(/^Attached/);
  });

  it("slugs key-shaped names into its own key space and never sends a raw or :thread: key", async () => {
    const world = await startBot({ policy: "confirm" });
    await world.command(A, "/thread agent:other:x");
    await world.command(B, "/thread ../x");
    await world.command("console:c", "/thread a:b");
    await world.command("console:d", "/thread agent:main:thread:y");
    expect(Object.keys(world.store.state.threads).sort()).toEqual(["ab", "agentmainthready", "agentotherx", "x"]);
    world.message(A, "one");
    world.message(B, "two");
    await world.says(A, "ECHO: one");
    await world.says(B, "ECHO: two");
    const keys = world.gw.sentSessionKeys();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key === ROOT || /^agent:main:named:[a-z0-9-]+$/.test(key), key).toBe(true);
      expect(key).not.toContain(":thread:");
    }
    expect(world.gw.store.all().map((s) => s.key)).not.toContain("agent:other:x");
  });

  it("gateway away: /thread <new> says so, changes nothing, and the bot keeps running", async () => {
    const world = await startBot();
    await world.command(A, "/thread Existing");
    await world.gw.stop();
    await until(() => !world.client.connected, "the client to notice");
    const before = structuredClone(world.store.state);
    const reply = await world.command(B, "/thread Budget Planning");
    expect(oneLine(reply?.text)).toMatch(/gateway/i);
    expect(reply?.text).toMatch(/not reachable|away|unavailable/i);
    expect(world.store.state).toEqual(before);
    // Still answering.
    expect((await world.command(B, "/help"))?.text).toContain("/thread");
    expect((await world.command(A, "/thread"))?.text).toContain('Thread "Existing"');
  });
});

describe("bad input: one line, nothing changed, no gateway request", () => {
  const cases: [string, RegExp][] = [
    ["/thread main", /reserved/],
    ["/thread ALL", /reserved/],
    ["/thread help", /reserved/],
    [`/thread ${"x".repeat(101)}`, /at most 100 characters/],
    ["/thread bad\u0007name", /control characters/],
    ["/thread zero\u200bwidth", /control characters/],
    ["/thread two\nlines", /control characters/],
    ["/help extra", /takes no arguments/],
    ["/frobnicate now", /Unknown command \/frobnicate/],
    ["/resume", /No thread is bound here/],
  ];
  for (const [line, answer] of cases) {
    it(JSON.stringify(line), async () => {
      const world = await startBot();
      await world.command(B, "/thread Other");
      const reply = await changesNothing(world, () => world.command(A, line));
      expect(oneLine(reply?.text)).toMatch(answer);
    });
  }

  it("an empty or blank name only shows what is bound", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget");
    for (const line of ["/thread", "/thread    "]) {
      // Only the usage line's reads (sessions.describe, sessions.usage) and the recap's ask reach the gateway.
      const reads = ["sessions.describe", "sessions.usage", "sessions.activitySummary.ensure"];
      const reply = await changesNothing(world, () => world.command(A, line), reads);
      expect(reply?.text).toMatch(/^Thread "Budget"/);
    }
  });

  it("/thread off where nothing is bound, and a 100-character name is fine", async () => {
    const world = await startBot();
    expect(oneLine((await changesNothing(world, () => world.command(A, "/thread off")))?.text)).toBe(
      "No thread is bound here.",
    );
    const name = "y".repeat(100);
    expect((await world.command(A, `/thread ${name}`))?.text).toMatch(/^Created/);
    expect(world.store.state.threads[slugify(name)]?.name).toBe(name);
  });
});

describe("/threads and /help", () => {
  it("refuses a plain allowed user, lists for an admin with status, activity, bindings and counts", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget Planning");
    await world.command("telegram:-100", "/thread budget planning", { sender: USERS.allowed });
    await world.command(B, "/thread Travel");
    world.message(A, "first");
    await world.says(A, "ECHO: first");
    world.message(A, "second");
    await world.says(A, "ECHO: second");
    await quiet(world);

    const refused = await changesNothing(world, () =>
      world.command("telegram:200", "/threads", { sender: USERS.allowed }),
    );
    expect(oneLine(refused?.text)).toBe("Only admins can use /threads.");

    const listed = (await world.command("telegram:300", "/threads", { sender: USERS.admin }))?.text ?? "";
    const lines = listed.split("\n");
    expect(lines[0]).toMatch(/^Threads 1–2 of 2/);
    const budget = lines.find((l) => l.includes("Budget Planning")) ?? "";
    expect(budget).toContain("(budget-planning)");
    expect(budget).toContain("idle");
    expect(budget).toContain("just now");
    expect(budget).toContain("2 msg");
    expect(budget).toContain(A);
    expect(budget).toContain("telegram:-100");
    const travel = lines.find((l) => l.includes("Travel")) ?? "";
    expect(travel).toContain("0 msg");
    expect(travel).toContain(B);
    // A filter.
    const filtered = (await world.command("telegram:300", "/threads trav", { sender: USERS.admin }))?.text ?? "";
    expect(filtered).toContain("Travel");
    expect(filtered).not.toContain("Budget");
  });

  it("pages with buttons that work through handleAction", async () => {
    const world = await startBot();
    for (let i = 0; i < 12; i++) await world.command(`console:c${i}`, `/thread Project ${String(i).padStart(2, "0")}`);
    const first = await world.command("telegram:300", "/threads", { sender: USERS.admin });
    expect(first?.text.split("\n")[0]).toBe("Threads 1–10 of 12 (page 1/2):");
    expect(first?.buttons?.map((b) => b.label)).toEqual(["Next ▶"]);
    const next = first?.buttons?.[0]?.data ?? "";
    const second = await world.press("telegram:300", next, { sender: USERS.admin });
    expect(second.text.split("\n")[0]).toBe("Threads 11–12 of 12 (page 2/2):");
    expect(second.text.split("\n")).toHaveLength(3);
    expect(second.buttons?.map((b) => b.label)).toEqual(["◀ Previous"]);
    const back = await world.press("telegram:300", second.buttons?.[0]?.data ?? "", { sender: USERS.admin });
    expect(back.text).toBe(first?.text);
    // A plain user pressing an admin's page button is refused too.
    const refused = await world.press("telegram:200", next, { sender: USERS.allowed });
    expect(refused.text).toBe("Only admins can use /threads.");
  });

  it("a chat administrator lists only the threads bound in that chat", async () => {
    const world = await startBot();
    await world.command("telegram:-100", "/thread Team", { sender: USERS.allowed });
    await world.command("telegram:-100:topic:7", "/thread Topic Work", { sender: USERS.allowed });
    await world.command("telegram:-200", "/thread Elsewhere", { sender: USERS.allowed });
    const asked: string[] = [];
    const reply = await world.bot.app.handleCommand({
      place: {
        conversation: "telegram:-100",
        direct: false,
        senderIsSpaceAdmin: async () => {
          asked.push("admin?");
          return true;
        },
      },
      sender: { id: USERS.allowed },
      name: "threads",
      text: "",
    });
    expect(asked).toEqual(["admin?"]);
    expect(reply?.text).toContain("Team");
    expect(reply?.text).toContain("Topic Work");
    expect(reply?.text).not.toContain("Elsewhere");
  });

  it("/help lists every command", async () => {
    const world = await startBot();
    const text = (await changesNothing(world, () => world.command(A, "/help")))?.text ?? "";
    for (const name of ["/thread [name]", "/resume [name]", "/threads [filter]", "/help"]) expect(text).toContain(name);
  });
});

describe("access", () => {
  it("tells a stranger in a DM their id once, ignores them in a group, and never calls the gateway", async () => {
    const world = await startBot();
    await world.command("telegram:-100", "/thread Team", { sender: USERS.allowed });
    const before = structuredClone(world.store.state);
    const requests = world.gw.requests.length;
    const first = await world.message("telegram:999", "hi bot", { sender: USERS.stranger });
    expect(oneLine(first?.text)).toContain("telegram:999");
    expect(await world.message("telegram:999", "hello?", { sender: USERS.stranger })).toBeUndefined();
    expect(await world.command("telegram:999", "/thread Mine", { sender: USERS.stranger })).toBeUndefined();
    expect(await world.message("telegram:-100", "let me in", { sender: USERS.stranger })).toBeUndefined();
    expect(await world.command("telegram:-100", "/thread Mine", { sender: USERS.stranger })).toBeUndefined();
    expect(await world.command("telegram:-100", "/threads", { sender: USERS.stranger })).toBeUndefined();
    expect((await world.press("telegram:-100", "tk:page:0:", { sender: USERS.stranger })).text).toMatch(/not allowed/);
    await sleep(30);
    expect(world.gw.requests.slice(requests)).toEqual([]);
    expect(world.store.state).toEqual(before);
    expect(world.telegram.messages).toEqual([]);
  });
});
