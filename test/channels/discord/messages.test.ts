import { describe, expect, it } from "vitest";
import { ids } from "../../fakes/fake-discord.ts";
import { startHarness } from "./support/harness.ts";

describe("discord messages", () => {
  it("hands messages in a channel, a thread and a DM to the core with their conversation keys", async () => {
    const { fake, app } = await startHarness();
    fake.userMessage({ userId: ids.alice, channelId: ids.general, content: "in general" });
    fake.userMessage({ userId: ids.alice, channelId: ids.activeThread, content: "in a thread" });
    fake.userMessage({ userId: ids.bob, dm: true, content: "in a DM" });
    await fake.waitFor(() => app.messageCalls.length === 3, { what: "three messages" });
    const byText = new Map(app.messageCalls.map((c) => [c.text, c]));
    expect(byText.get("in general")?.place.conversation).toBe(`discord:${ids.guild}:${ids.general}`);
    expect(byText.get("in a thread")?.place.conversation).toBe(`discord:${ids.guild}:${ids.activeThread}`);
    expect(byText.get("in a thread")?.place.openNativeThread).toBeUndefined();
    expect(byText.get("in a DM")?.place).toMatchObject({ conversation: `discord:dm:${ids.bob}`, direct: true });
    expect(byText.get("in a DM")?.sender.id).toBe(`discord:${ids.bob}`);
    expect(byText.get("in general")?.messageId).toBeTruthy();
  });

  it("reaches a thread that is not in the cache (archived at startup) through the partial channel", async () => {
    const { fake, app } = await startHarness();
    fake.userMessage({ userId: ids.alice, channelId: ids.archivedThread, content: "wake up" });
    await fake.waitFor(() => app.messageCalls[0], { what: "message" });
    expect(app.messageCalls[0]?.place.conversation).toBe(`discord:${ids.guild}:${ids.archivedThread}`);
  });

  it("ignores its own messages and other bots", async () => {
    const { fake, app, discord } = await startHarness();
    await discord.channel.send(`discord:${ids.guild}:${ids.general}`, { text: "from the bot" });
    fake.userMessage({ userId: ids.otherBot, channelId: ids.general, content: "from another bot" });
    fake.userMessage({ userId: ids.alice, channelId: ids.general, content: "from a person" });
    await fake.waitFor(() => app.messageCalls[0], { what: "the person's message" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(app.messageCalls.map((c) => c.text)).toEqual(["from a person"]);
  });

  it("passes the replied-to message id, so a reply to a notice can resume", async () => {
    const { fake, app, discord } = await startHarness();
    const conversation = `discord:${ids.guild}:${ids.activeThread}`;
    const notice = await discord.channel.send(conversation, {
      text: "Interrupted.",
      buttons: [{ label: "Resume", data: "tk:r:1" }],
    });
    fake.userMessage({
      userId: ids.alice,
      channelId: ids.activeThread,
      content: "go on, but skip tests",
      replyTo: notice,
    });
    await fake.waitFor(() => app.messageCalls[0], { what: "reply" });
    expect(app.messageCalls[0]?.replyToMessageId).toBe(notice);
  });

  it("answers the core's acknowledgement as a reply to the message", async () => {
    const { fake, app } = await startHarness();
    app.onMessage = async () => ({ text: "Queued: the gateway is restarting." });
    const sent = fake.userMessage({ userId: ids.alice, channelId: ids.general, content: "hello" });
    await fake.waitFor(() => fake.messagesIn(ids.general).find((m) => m.author.id === ids.bot), { what: "ack" });
    const ack = fake.messagesIn(ids.general).find((m) => m.author.id === ids.bot);
    expect(ack?.referenceId).toBe(sent.id);
    expect(ack?.content).toBe("Queued: the gateway is restarting.");
  });

  it("takes a typed /command (where slash commands are not offered) as a command", async () => {
    const { fake, app } = await startHarness();
    fake.userMessage({ userId: ids.alice, dm: true, content: "/thread budget-planning" });
    await fake.waitFor(() => app.commandCalls[0], { what: "command" });
    expect(app.commandCalls[0]).toMatchObject({ name: "thread", text: "budget-planning" });
    expect(app.messageCalls).toHaveLength(0);
    const dm = fake.dmChannelId(ids.alice);
    await fake.waitFor(() => fake.messagesIn(dm).find((m) => m.author.id === ids.bot), { what: "reply in the DM" });
    expect(app.bindings.get(`discord:dm:${ids.alice}`)).toBe("budget-planning");
  });

  it("checks Manage Server from the member's roles for a typed /threads", async () => {
    const { fake, app } = await startHarness();
    fake.userMessage({ userId: ids.bob, channelId: ids.general, content: "/threads" });
    fake.userMessage({ userId: ids.alice, channelId: ids.general, content: "/threads" });
    const replies = () => fake.messagesIn(ids.general).filter((m) => m.author.id === ids.bot);
    await fake.waitFor(() => replies().length === 2, { what: "two replies" });
    expect(app.commandCalls).toHaveLength(2);
    expect(
      replies()
        .map((m) => m.content)
        .sort(),
    ).toEqual(["Only admins can list threads.", "Threads: none"]);
  });
});
