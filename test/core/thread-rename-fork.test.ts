import { describe, expect, it } from "vitest";
import { chatSends, quiet, startBot, USERS } from "./support/bot-harness.ts";
import { changesNothing, oneLine } from "./support/identity.ts";

const A = "console:a";
const B = "console:b";
const C = "telegram:-100";
const KEY = "agent:main:named:budget";

describe("/thread rename", () => {
  it("relabels the session; slug and key stay; the old and the new name reach it from other chats", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget");
    const reply = await world.command(A, "/thread rename Finance 2027");
    expect(reply?.text).toContain('Renamed "Budget" to "Finance 2027"');
    expect(reply?.text).toContain(`session key (${KEY}) stay as they were: the key never changes`);
    expect(world.store.state.threads.budget).toMatchObject({
      name: "Finance 2027",
      label: "Finance 2027",
      sessionKey: KEY,
    });
    expect(world.gw.session(KEY)?.row.label).toBe("Finance 2027");
    expect(world.store.state.aliases["finance-2027"]?.slug).toBe("budget");

    // The old name from one chat, the new one from another: one thread, one session key.
    expect((await world.command(B, "/thread budget"))?.text).toMatch(/^Attached thread "Finance 2027" \(budget\)/);
    expect((await world.command(C, "/thread Finance 2027", { sender: USERS.allowed }))?.text).toMatch(
      /^Attached thread "Finance 2027" \(budget\)/,
    );
    expect(Object.keys(world.store.state.threads)).toEqual(["budget"]);
    world.message(B, "from b");
    await world.says(B, "ECHO: from b");
    world.message(C, "from c", { sender: USERS.allowed });
    await world.says(C, "ECHO: from c");
    expect(new Set(chatSends(world.gw).map((s) => s.sessionKey))).toEqual(new Set([KEY]));
    // Renamed again: every earlier name still reaches it.
    await world.command(A, "/thread rename Ops");
    expect(world.store.state.aliases["finance-2027"]?.slug).toBe("budget");
    expect(world.store.state.aliases.ops?.slug).toBe("budget");
  });

  it("takes another session's label as 'Name (slug)', as creation does", async () => {
    const world = await startBot();
    world.gw.store.create({ key: "agent:main:dashboard:x", label: "Finance" });
    await world.command(A, "/thread Budget");
    const reply = await world.command(A, "/thread rename Finance");
    expect(reply?.text).toContain('labelled "Finance (budget)"');
    expect(world.store.state.threads.budget?.label).toBe("Finance (budget)");
  });

  it("refuses in one line and changes nothing: no thread here, name taken, too long, reserved, empty, same", async () => {
    const world = await startBot();
    expect(oneLine(await changesNothing(world, () => world.command(A, "/thread rename X")))).toMatch(
      /No thread is bound/,
    );
    await world.command(A, "/thread Budget");
    await world.command(B, "/thread Travel");
    await world.command(B, "/thread rename Trips");
    const taken = await changesNothing(world, () => world.command(A, "/thread rename travel"));
    expect(oneLine(taken)).toBe(
      'The name "travel" already reaches the thread "Trips"; pick another name. Nothing changed.',
    );
    expect(oneLine(await changesNothing(world, () => world.command(A, "/thread rename TRIPS")))).toMatch(
      /already reaches/,
    );
    const long = await changesNothing(world, () => world.command(A, `/thread rename ${"x".repeat(101)}`));
    expect(oneLine(long)).toBe("Thread names are at most 100 characters.");
    expect(oneLine(await changesNothing(world, () => world.command(A, "/thread rename main")))).toMatch(/is reserved/);
    expect(oneLine(await changesNothing(world, () => world.command(A, "/thread rename")))).toMatch(
      /^Usage: \/thread (rename|fork) /,
    );
    expect(oneLine(await changesNothing(world, () => world.command(A, "/thread rename Budget")))).toMatch(
      /already named/,
    );
  });

  it("is refused to a person without access, without a gateway call", async () => {
    const world = await startBot();
    await world.command(C, "/thread Budget", { sender: USERS.allowed });
    const ignored = await changesNothing(world, () => world.command(C, "/thread rename X", { sender: USERS.stranger }));
    expect(ignored).toBeUndefined();
    const told = await world.command("telegram:999", "/thread rename X", { sender: USERS.stranger });
    expect(oneLine(told)).toMatch(/not on this bot's allow list/);
  });
});

describe("/thread fork", () => {
  it("forks the session with OpenClaw's fork, binds the fork here, leaves the original untouched", async () => {
    const world = await startBot();
    await world.command(A, "/thread Budget");
    await world.command(B, "/thread Budget");
    world.message(A, "remember 42");
    await world.says(A, "ECHO: remember 42");
    await quiet(world);
    const original = structuredClone(world.gw.session(KEY)?.transcript);

    const reply = await world.command(A, "/thread fork Budget B");
    expect(reply?.text).toMatch(/^Forked "Budget" into "Budget B" \(budget-b\), bound here/);
    expect(reply?.text).toContain("Carried:");
    expect(reply?.text).toContain("Not carried:");
    const create = world.gw.requestsOf("sessions.create").at(-1)?.params;
    expect(create).toEqual({
      key: "agent:main:named:budget-b",
      parentSessionKey: KEY,
      fork: true,
      forkFrom: "last-completed",
      label: "Budget B",
    });
    const forked = world.gw.session("agent:main:named:budget-b")?.transcript ?? [];
    expect(forked.map((r) => r.content)).toEqual((original ?? []).map((r) => r.content));
    expect(world.store.state.bindings[A]?.slug).toBe("budget-b");
    expect(world.store.state.bindings[B]?.slug).toBe("budget");

    world.message(A, "in the fork");
    await world.says(A, "ECHO: in the fork");
    expect(chatSends(world.gw).at(-1)?.sessionKey).toBe("agent:main:named:budget-b");
    expect(world.gw.session(KEY)?.transcript).toEqual(original);
  });

  it("under confirm-child, makes the fork a spawnDepth-1 child too, so OpenClaw's recovery leaves it to the bot", async () => {
    const world = await startBot({ policy: "confirm-child" });
    await world.command(A, "/thread Budget");
    await world.command(A, "/thread fork Plan B");
    const create = world.gw.requestsOf("sessions.create").at(-1)?.params as Record<string, unknown>;
    expect(create).toMatchObject({ fork: true, spawnDepth: 1, parentSessionKey: KEY });
    expect(world.store.state.threads["plan-b"]?.parentSessionKey).toBe(KEY);
  });

  it("refuses in one line and changes nothing: no thread here, name taken, too long, reserved, empty", async () => {
    const world = await startBot();
    expect(oneLine(await changesNothing(world, () => world.command(A, "/thread fork X")))).toMatch(
      /No thread is bound/,
    );
    await world.command(A, "/thread Budget");
    await world.command(B, "/thread Travel");
    expect(oneLine(await changesNothing(world, () => world.command(A, "/thread fork travel")))).toMatch(
      /already reaches/,
    );
    expect(oneLine(await changesNothing(world, () => world.command(A, "/thread fork Budget")))).toMatch(
      /already reaches/,
    );
    const long = await changesNothing(world, () => world.command(A, `/thread fork ${"é".repeat(101)}`));
    expect(oneLine(long)).toBe("Thread names are at most 100 characters.");
    expect(oneLine(await changesNothing(world, () => world.command(A, "/thread fork help")))).toMatch(/is reserved/);
    const sub = await changesNothing(world, () => world.command(A, "/thread fork rename"));
    expect(oneLine(sub)).toBe('"rename" is a /thread subcommand; pick another thread name.');
    expect(oneLine(await changesNothing(world, () => world.command(A, "/thread fork   ")))).toMatch(
      /^Usage: \/thread (rename|fork) /,
    );
  });

  it("is refused to a person without access, without a gateway call", async () => {
    const world = await startBot();
    await world.command(C, "/thread Budget", { sender: USERS.allowed });
    const ignored = await changesNothing(world, () => world.command(C, "/thread fork X", { sender: USERS.stranger }));
    expect(ignored).toBeUndefined();
  });
});
