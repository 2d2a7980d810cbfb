import { describe, expect, it } from "vitest";
import { ids } from "../../fakes/fake-discord.ts";
import { type BotWorld, startBot } from "./support/bot-world.ts";
import { slashAnswered } from "./support/harness.ts";

/** /thread open name:<name> in #general; returns the Discord thread the bot opened. */
async function openThread(world: BotWorld, name: string): Promise<string> {
  const { fake } = world;
  const options = { name };
  await slashAnswered(fake, { userId: ids.alice, channelId: ids.general, name: "thread", subcommand: "open", options });
  const thread = [...fake.world.channels.values()].find((c) => c.name === name && c.parentId === ids.general);
  if (!thread) throw new Error("no Discord thread was opened");
  return thread.id;
}

function buttonsOf(components: unknown[] | undefined): { label: string; custom_id: string }[] {
  return ((components?.[0] as { components?: { label: string; custom_id: string }[] })?.components ?? []).slice();
}

describe("discord: /thread rename, fork, reset, delete as slash subcommands on the fake Discord", () => {
  it("registers them as SUB_COMMAND options with their arguments (new names without autocomplete)", async () => {
    const { fake } = await startBot();
    const thread = fake.commands.global?.find((c) => c.name === "thread");
    const subs = (thread?.options ?? []) as { name: string; options?: Record<string, unknown>[] }[];
    const rename = subs.find((o) => o.name === "rename");
    expect(rename?.options).toEqual([
      expect.objectContaining({ type: 3, name: "name", required: true, max_length: 100 }),
    ]);
    expect(rename?.options?.[0]?.autocomplete).toBeUndefined();
    expect(subs.find((o) => o.name === "reset")?.options).toEqual([
      expect.objectContaining({ type: 3, name: "yes", required: false }),
    ]);
  });

  it("rename renames the Discord thread the bot opened (PATCH, cut to 100 units); the key stays", async () => {
    const world = await startBot();
    const { fake, store } = world;
    const threadId = await openThread(world, "budget");
    const name = `B${"🙂".repeat(60)}`;
    const renamed = await slashAnswered(fake, {
      userId: ids.alice,
      channelId: threadId,
      name: "thread",
      subcommand: "rename",
      options: { name },
    });
    expect(renamed.original?.content).toContain(`Renamed "budget" to "${name}"`);
    expect(renamed.original?.content).toContain("the key never changes");
    expect(fake.world.channels.get(threadId)?.name).toBe(`B${"🙂".repeat(49)}`);
    expect(store.state.threads.budget?.sessionKey).toBe("agent:main:named:budget");
  });

  it("fork binds the new thread here; a taken name is refused in one line", async () => {
    const world = await startBot();
    const threadId = await openThread(world, "budget");
    await openThread(world, "travel");
    const taken = await slashAnswered(world.fake, {
      userId: ids.bob,
      channelId: threadId,
      name: "thread",
      subcommand: "fork",
      options: { name: "Travel" },
    });
    expect(taken.original?.content).toBe(
      'The name "Travel" already reaches the thread "travel"; pick another name. Nothing changed.',
    );
    const forked = await slashAnswered(world.fake, {
      userId: ids.bob,
      channelId: threadId,
      name: "thread",
      subcommand: "fork",
      options: { name: "Budget B" },
    });
    expect(forked.original?.content).toMatch(/^Forked "budget" into "Budget B" \(budget-b\), bound here/);
    expect(world.store.state.bindings[`discord:${ids.guild}:${threadId}`]?.slug).toBe("budget-b");
  });

  it("reset asks with buttons only the asker can use; delete is refused to a member without Manage Server", async () => {
    const world = await startBot();
    const { fake } = world;
    const threadId = await openThread(world, "budget");
    const asked = await slashAnswered(fake, {
      userId: ids.alice,
      channelId: threadId,
      name: "thread",
      subcommand: "reset",
    });
    const [yes] = buttonsOf(asked.original?.components);
    expect(yes?.label).toBe("Reset");
    const foreign = fake.pressButton({
      userId: ids.bob,
      messageId: asked.original?.id ?? "",
      customId: yes?.custom_id ?? "",
    });
    await fake.waitFor(() => foreign.original, { what: "the refusal" });
    expect(foreign.original?.content).toBe("Only the person who asked can answer this.");
    const press = fake.pressButton({
      userId: ids.alice,
      messageId: asked.original?.id ?? "",
      customId: yes?.custom_id ?? "",
    });
    await fake.waitFor(() => world.gw.requestsOf("sessions.reset").length === 1, { what: "the reset" });
    await fake.waitFor(() => press.callbacks.length > 0 || press.original, { what: "the press answer" });
    const refused = await slashAnswered(fake, {
      userId: ids.bob,
      channelId: threadId,
      name: "thread",
      subcommand: "delete",
    });
    expect(refused.original?.content).toBe("Only admins can use /thread delete.");
    expect(world.gw.requestsOf("sessions.delete")).toHaveLength(0);
  });
});
