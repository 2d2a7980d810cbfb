import { describe, expect, it } from "vitest";
import { ids } from "../../fakes/fake-discord.ts";
import { botSays, startBot } from "./bot-harness.ts";

const EPHEMERAL = 64;

describe("discord with the real core", () => {
  it("opens a Discord thread for /thread, answers there, and re-attaches the session from a DM", async () => {
    const { fake, gw, store } = await startBot();
    const slash = fake.slash({
      userId: ids.alice,
      channelId: ids.general,
      name: "thread",
      options: { name: "budget-planning" },
    });
    await fake.waitFor(() => slash.original, { what: "/thread reply" });
    expect(slash.original?.content).toContain("budget-planning");
    const thread = [...fake.world.channels.values()].find(
      (c) => c.name === "budget-planning" && c.parentId === ids.general,
    );
    if (!thread) throw new Error("no Discord thread was opened");
    const threadKey = `discord:${ids.guild}:${thread.id}`;
    expect(store.state.bindings[threadKey]?.slug).toBe("budget-planning");

    fake.userMessage({ userId: ids.alice, channelId: thread.id, content: "hello there" });
    await botSays(fake, thread.id, "ECHO: hello there");
    const sessionKey = store.state.threads["budget-planning"]?.sessionKey;
    expect(gw.requestsOf("chat.send").map((r) => (r.params as { sessionKey: string }).sessionKey)).toEqual([
      sessionKey,
    ]);
    expect(fake.messagesIn(ids.general).filter((m) => m.author.id === ids.bot)).toEqual([]);

    const dm = fake.slash({ userId: ids.alice, dm: true, name: "thread", options: { name: "budget-planning" } });
    await fake.waitFor(() => dm.original, { what: "DM /thread reply" });
    expect(dm.original?.content).toMatch(/Attached thread "budget-planning"/);
    expect(store.state.bindings[`discord:dm:${ids.alice}`]?.slug).toBe("budget-planning");
    fake.userMessage({ userId: ids.alice, dm: true, content: "and from the DM" });
    await botSays(fake, fake.dmChannelId(ids.alice), "ECHO: and from the DM");
    const keys = gw.requestsOf("chat.send").map((r) => (r.params as { sessionKey: string }).sessionKey);
    expect(keys).toEqual([sessionKey, sessionKey]);
  });

  it("lists /threads for Manage Server and configured admins, refuses others ephemerally", async () => {
    const { fake } = await startBot();
    const made = fake.slash({
      userId: ids.alice,
      channelId: ids.activeThread,
      name: "thread",
      options: { name: "ops" },
    });
    await fake.waitFor(() => made.original, { what: "/thread reply" });
    const bob = fake.slash({ userId: ids.bob, channelId: ids.general, name: "threads" });
    const alice = fake.slash({ userId: ids.alice, channelId: ids.general, name: "threads" });
    const dave = fake.slash({ userId: ids.dave, dm: true, name: "threads" });
    await fake.waitFor(() => bob.original && alice.original && dave.original, { what: "three answers" });
    expect(bob.original?.flags).toBe(EPHEMERAL);
    expect(bob.original?.content).toMatch(/Only admins/);
    expect(alice.original?.flags).toBe(EPHEMERAL);
    expect(alice.original?.content).toContain("ops");
    expect(dave.original?.content).toContain("ops");
  });

  it("makes no gateway call for a message from a user who is not allowed", async () => {
    const { fake, gw } = await startBot();
    const made = fake.slash({
      userId: ids.alice,
      channelId: ids.activeThread,
      name: "thread",
      options: { name: "quiet" },
    });
    await fake.waitFor(() => made.original, { what: "/thread reply" });
    const before = gw.requests.length;
    fake.userMessage({ userId: ids.carol, channelId: ids.activeThread, content: "let me in" });
    fake.userMessage({ userId: ids.alice, channelId: ids.activeThread, content: "after carol" });
    await botSays(fake, ids.activeThread, "ECHO: after carol");
    const sent = gw.requestsOf("chat.send").map((r) => (r.params as { message: string }).message);
    expect(sent.some((m) => m.includes("let me in"))).toBe(false);
    expect(gw.requests.slice(before).some((r) => JSON.stringify(r.params).includes("let me in"))).toBe(false);
  });
});
