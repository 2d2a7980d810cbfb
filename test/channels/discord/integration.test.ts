import { describe, expect, it } from "vitest";
import { ids } from "../../fakes/fake-discord.ts";
import { discordSays } from "../support/says.ts";
import { startBot } from "./support/bot-world.ts";
import { slashAnswered } from "./support/harness.ts";

const EPHEMERAL = 64;

describe("discord with the real core", () => {
  it("opens a Discord thread for /thread, answers there, and re-attaches the session from a DM", async () => {
    const { fake, gw, store } = await startBot();
    const slash = await slashAnswered(fake, {
      userId: ids.alice,
      channelId: ids.general,
      name: "thread",
      options: { name: "budget-planning" },
    });
    expect(slash.original?.content).toContain("budget-planning");
    const thread = [...fake.world.channels.values()].find(
      (c) => c.name === "budget-planning" && c.parentId === ids.general,
    );
    if (!thread) throw new Error("no Discord thread was opened");
    const threadKey = `discord:${ids.guild}:${thread.id}`;
    expect(store.state.bindings[threadKey]?.slug).toBe("budget-planning");

    fake.userMessage({ userId: ids.alice, channelId: thread.id, content: "hello there" });
    await discordSays(fake, thread.id, "ECHO: hello there");
    const sessionKey = store.state.threads["budget-planning"]?.sessionKey;
    expect(gw.requestsOf("chat.send").map((r) => (r.params as { sessionKey: string }).sessionKey)).toEqual([
      sessionKey,
    ]);
    expect(fake.messagesIn(ids.general).filter((m) => m.author.id === ids.bot)).toEqual([]);

    const dm = await slashAnswered(fake, {
      userId: ids.alice,
      dm: true,
      name: "thread",
      options: { name: "budget-planning" },
    });
    expect(dm.original?.content).toMatch(/Attached thread "budget-planning"/);
    expect(store.state.bindings[`discord:dm:${ids.alice}`]?.slug).toBe("budget-planning");
    fake.userMessage({ userId: ids.alice, dm: true, content: "and from the DM" });
    await discordSays(fake, fake.dmChannelId(ids.alice), "ECHO: and from the DM");
    const keys = gw.requestsOf("chat.send").map((r) => (r.params as { sessionKey: string }).sessionKey);
    expect(keys).toEqual([sessionKey, sessionKey]);
  });

  it("lists /threads for Manage Server and configured admins, refuses others ephemerally", async () => {
    const { fake } = await startBot();
    await slashAnswered(fake, {
      userId: ids.alice,
      channelId: ids.activeThread,
      name: "thread",
      options: { name: "ops" },
    });
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
    await slashAnswered(fake, {
      userId: ids.alice,
      channelId: ids.activeThread,
      name: "thread",
      options: { name: "quiet" },
    });
    const before = gw.requests.length;
    fake.userMessage({ userId: ids.carol, channelId: ids.activeThread, content: "let me in" });
    fake.userMessage({ userId: ids.alice, channelId: ids.activeThread, content: "after carol" });
    await discordSays(fake, ids.activeThread, "ECHO: after carol");
    const sent = gw.requestsOf("chat.send").map((r) => (r.params as { message: string }).message);
    expect(sent.some((m) => m.includes("let me in"))).toBe(false);
    expect(gw.requests.slice(before).some((r) => JSON.stringify(r.params).includes("let me in"))).toBe(false);
  });
});
