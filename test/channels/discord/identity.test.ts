import { describe, expect, it } from "vitest";
import { ids } from "../../fakes/fake-discord.ts";
import { startBot } from "./support/bot-world.ts";
import { slashAnswered } from "./support/harness.ts";

// Until `/thread rename` is dispatched by the parent command (branch h0-subcommands), the rename is asked of
// the core's service the subcommand calls; the thread is renamed through the real discord.js channel.
describe("discord: a renamed thread's Discord thread", () => {
  it("renames the Discord thread the bot opened (PATCH /channels/:id), cut to Discord's 100 characters", async () => {
    const { fake, bot } = await startBot();
    await slashAnswered(fake, {
      userId: ids.alice,
      channelId: ids.general,
      name: "thread",
      options: { name: "budget" },
    });
    const thread = [...fake.world.channels.values()].find((c) => c.name === "budget" && c.parentId === ids.general);
    if (!thread) throw new Error("no Discord thread was opened");
    const name = `B${"🙂".repeat(60)}`;
    const text = await bot.services.identity.rename({ conversation: `discord:${ids.guild}:${thread.id}`, name });
    expect(text).toContain(`Renamed "budget" to "${name}"`);
    expect(text).not.toContain("could not be renamed");
    expect(fake.world.channels.get(thread.id)?.name).toBe(`B${"🙂".repeat(49)}`);
    expect(fake.callsTo("PATCH", new RegExp(`^/channels/${thread.id}$`))).toHaveLength(1);
  });

  it("leaves a conversation that is no Discord thread (a DM) as it is", async () => {
    const { fake, bot } = await startBot();
    await slashAnswered(fake, { userId: ids.alice, dm: true, name: "thread", options: { name: "ops" } });
    const text = await bot.services.identity.rename({ conversation: `discord:dm:${ids.alice}`, name: "Operations" });
    expect(text).toMatch(/^Renamed "ops" to "Operations"/);
    expect(fake.calls.filter((c) => c.method === "PATCH" && /^\/channels\/\d+$/.test(c.path))).toEqual([]);
  });
});
