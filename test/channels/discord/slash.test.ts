import { describe, expect, it } from "vitest";
import { ChannelKind, ids } from "../../fakes/fake-discord.ts";
import { slashAnswered, startHarness } from "./support/harness.ts";

const EPHEMERAL = 64;
const generalKey = `discord:${ids.guild}:${ids.general}`;

describe("discord slash commands", () => {
  it("routes a slash command with its named options, sender and place", async () => {
    const { fake, app } = await startHarness();
    const record = await slashAnswered(fake, {
      userId: ids.bob,
      channelId: ids.general,
      name: "rename",
      options: { to: "x", note: "n" },
    });
    const call = app.commandCalls[0];
    expect(call?.name).toBe("rename");
    expect(call?.options).toEqual({ to: "x", note: "n" });
    expect(call?.sender.id).toBe(`discord:${ids.bob}`);
    expect(call?.place.conversation).toBe(generalKey);
    expect(call?.place.direct).toBe(false);
    expect(record.callbacks[0]?.type).toBe(4);
    expect(record.original?.content).toBe("ran /rename");
    expect(record.original?.flags).toBe(0);
  });

  it("passes a command with missing options through with no options for the core to judge", async () => {
    const { fake, app } = await startHarness();
    const record = await slashAnswered(fake, { userId: ids.bob, channelId: ids.general, name: "thread" });
    expect(app.commandCalls[0]?.options).toEqual({});
    expect(record.original?.content).toContain("No thread is bound here");
    expect(record.original?.flags).toBe(EPHEMERAL);
  });

  it("/thread name: in a text channel opens a public thread named after it and binds that", async () => {
    const { fake, app } = await startHarness();
    const record = await slashAnswered(fake, {
      userId: ids.alice,
      channelId: ids.general,
      name: "thread",
      options: { name: "budget-planning" },
    });
    const created = fake.callsTo("POST", new RegExp(`^/channels/${ids.general}/threads$`));
    expect(created).toHaveLength(1);
    expect(created[0]?.body).toMatchObject({ name: "budget-planning", type: ChannelKind.PublicThread });
    const thread = [...fake.world.channels.values()].find((c) => c.name === "budget-planning");
    expect(thread?.parentId).toBe(ids.general);
    expect(app.bindings.get(`discord:${ids.guild}:${thread?.id}`)).toBe("budget-planning");
    expect(record.original?.content).toContain("in its own thread");
    // The thread came in over the gateway too: a message there reaches the core at once.
    fake.userMessage({ userId: ids.alice, channelId: thread?.id ?? "", content: "hello" });
    await fake.waitFor(() => app.messageCalls[0], { what: "message in the new thread" });
    expect(app.messageCalls[0]?.place.conversation).toBe(`discord:${ids.guild}:${thread?.id}`);
  });

  it("re-opens the same thread the second time: no new thread, unarchived and rejoined", async () => {
    const { fake } = await startHarness();
    await slashAnswered(fake, {
      userId: ids.alice,
      channelId: ids.general,
      name: "thread",
      options: { name: "ops" },
    });
    const thread = [...fake.world.channels.values()].find((c) => c.name === "ops");
    if (!thread?.thread) throw new Error("no thread");
    thread.thread.archived = true;
    thread.threadMembers.clear();
    await slashAnswered(fake, {
      userId: ids.bob,
      channelId: ids.general,
      name: "thread",
      options: { name: "ops" },
    });
    expect(fake.callsTo("POST", /\/threads$/)).toHaveLength(1);
    expect(fake.callsTo("PATCH", new RegExp(`^/channels/${thread.id}$`))[0]?.body).toMatchObject({ archived: false });
    expect(fake.callsTo("PUT", new RegExp(`^/channels/${thread.id}/thread-members/@me$`))).toHaveLength(1);
    expect(thread.thread.archived).toBe(false);
    expect(thread.threadMembers.has(ids.bot)).toBe(true);
  });

  it("finds an archived thread the bot opened before by name when the core has no record of it", async () => {
    const { fake, app } = await startHarness();
    await slashAnswered(fake, {
      userId: ids.alice,
      channelId: ids.general,
      name: "thread",
      options: { name: "archived-one" },
    });
    expect(fake.callsTo("POST", /\/threads$/)).toHaveLength(0);
    expect(fake.callsTo("GET", new RegExp(`^/guilds/${ids.guild}/threads/active$`))).toHaveLength(1);
    expect(fake.callsTo("GET", new RegExp(`^/channels/${ids.general}/threads/archived/public$`))).toHaveLength(1);
    expect(fake.world.channels.get(ids.archivedThread)?.thread?.archived).toBe(false);
    expect(app.bindings.get(`discord:${ids.guild}:${ids.archivedThread}`)).toBe("archived-one");
  });

  it("/thread in a forum channel opens a post with a starter message", async () => {
    const { fake, app } = await startHarness();
    await slashAnswered(fake, {
      userId: ids.alice,
      channelId: ids.forum,
      name: "thread",
      options: { name: "Roadmap" },
    });
    const post = [...fake.world.channels.values()].find((c) => c.parentId === ids.forum);
    expect(post?.name).toBe("Roadmap");
    expect(fake.messagesIn(post?.id ?? "")[0]?.content).toContain("Roadmap");
    expect(app.bindings.get(`discord:${ids.guild}:${post?.id}`)).toBe("roadmap");
  });

  it("/thread inside a thread or a DM binds that conversation itself", async () => {
    const { fake, app } = await startHarness();
    const inThread = fake.slash({
      userId: ids.alice,
      channelId: ids.activeThread,
      name: "thread",
      options: { name: "a" },
    });
    const inDm = fake.slash({ userId: ids.alice, dm: true, name: "thread", options: { name: "b" } });
    await fake.waitFor(() => inThread.original && inDm.original, { what: "replies" });
    expect(fake.callsTo("POST", /\/threads$/)).toHaveLength(0);
    expect(app.bindings.get(`discord:${ids.guild}:${ids.activeThread}`)).toBe("a");
    expect(app.bindings.get(`discord:dm:${ids.alice}`)).toBe("b");
    const dmCall = app.commandCalls.find((c) => c.options?.name === "b");
    expect(dmCall?.place.direct).toBe(true);
    expect(dmCall?.place.openNativeThread).toBeUndefined();
    expect(dmCall?.place.senderIsSpaceAdmin).toBeUndefined();
  });

  it("/threads is refused ephemerally without Manage Server and listed with it", async () => {
    const { fake } = await startHarness();
    const bob = fake.slash({ userId: ids.bob, channelId: ids.general, name: "threads" });
    const alice = fake.slash({ userId: ids.alice, channelId: ids.general, name: "threads" });
    const owner = fake.slash({ userId: ids.owner, channelId: ids.general, name: "threads" });
    await fake.waitFor(() => bob.original && alice.original && owner.original, { what: "replies" });
    expect(bob.original).toMatchObject({ content: "Only admins can list threads.", flags: EPHEMERAL });
    expect(alice.original?.content).toMatch(/^Threads:/);
    expect(alice.original?.flags).toBe(EPHEMERAL);
    expect(owner.original?.content).toMatch(/^Threads:/);
  });
});
