/**
 * /thread model and /thread usage through discord.js on the fake Discord (issue 13, h3): slash options,
 * autocomplete of model names (not thread names), the model buttons, refusals.
 */
import { describe, expect, it } from "vitest";
import { texts } from "../../../src/core/texts.ts";
import { ids } from "../../fakes/fake-discord.ts";
import { discordSays } from "../support/says.ts";
import { startBot } from "./support/bot-world.ts";
import { slashAnswered } from "./support/harness.ts";

describe("discord: /thread model and /thread usage", () => {
  it("autocompletes model names, sets one by slash option or button, refuses an unknown one", async () => {
    const { fake, gw } = await startBot();
    const here = { userId: ids.alice, channelId: ids.activeThread };
    await slashAnswered(fake, { ...here, name: "thread", subcommand: "open", options: { name: "ops" } });
    const typed = fake.autocomplete({ ...here, name: "thread", subcommand: "model", focused: "name", value: "ech" });
    await fake.waitFor(() => typed.choices, { what: "choices" });
    expect(typed.choices?.map((c) => c.value)).toEqual(["fake/echo-1", "fake/echo-2"]);

    const unknown = await slashAnswered(fake, {
      ...here,
      name: "thread",
      subcommand: "model",
      options: { name: "gpt-9" },
    });
    expect(unknown.original?.content).toBe(texts.unknownModel("gpt-9"));
    const set = await slashAnswered(fake, {
      ...here,
      name: "thread",
      subcommand: "model",
      options: { name: "fake/echo-2" },
    });
    expect(set.original?.content).toMatch(/now runs on fake\/echo-2/);

    const list = await slashAnswered(fake, { ...here, name: "thread", subcommand: "model" });
    expect(JSON.stringify(list.original?.components)).toContain("Echo 1");
    const echo1 =
      /"custom_id":"(tk:model:[^"]+)","label":"Echo 1"|"label":"Echo 1"[^}]*"custom_id":"(tk:model:[^"]+)"/.exec(
        JSON.stringify(list.original?.components),
      );
    const customId = echo1?.[1] ?? echo1?.[2] ?? "";
    const bobPress = fake.pressButton({ userId: ids.bob, messageId: list.original?.id ?? "", customId });
    await fake.waitFor(() => bobPress.callbacks[0], { what: "bob's answer" });
    expect(JSON.stringify(bobPress.callbacks)).toContain(texts.notYourPicker);
    const press = fake.pressButton({ userId: ids.alice, messageId: list.original?.id ?? "", customId });
    await fake.waitFor(() => press.callbacks[0], { what: "alice's answer" });
    const patched = gw.requestsOf("sessions.patch").map((r) => (r.params as { model?: string }).model);
    expect(patched).toEqual(["fake/echo-2", "fake/echo-1"]);
  });

  it("tells the usage of the thread here; another thread only for admins; strangers are ignored", async () => {
    const { fake, gw } = await startBot();
    const here = { userId: ids.alice, channelId: ids.activeThread };
    await slashAnswered(fake, { ...here, name: "thread", subcommand: "open", options: { name: "ops" } });
    fake.userMessage({ ...here, content: "hello" });
    await discordSays(fake, ids.activeThread, "ECHO: hello");
    const usage = await slashAnswered(fake, { ...here, name: "thread", subcommand: "usage" });
    expect(usage.original?.content).toBe(
      'Thread "ops" has used 13 tokens, $0.0016 in all.\nIts last turn: 13 tokens, $0.0016.',
    );
    const none = await slashAnswered(fake, {
      userId: ids.bob,
      channelId: ids.general,
      name: "thread",
      subcommand: "usage",
    });
    expect(none.original?.content).toBe(texts.noThreadHere);
    const others = await slashAnswered(fake, {
      userId: ids.bob,
      channelId: ids.general,
      name: "thread",
      subcommand: "usage",
      options: { name: "ops" },
    });
    expect(others.original?.content).toBe(texts.usageOfOthers);
    const admin = await slashAnswered(fake, {
      userId: ids.dave,
      dm: true,
      name: "thread",
      subcommand: "usage",
      options: { name: "ops" },
    });
    expect(admin.original?.content).toMatch(/^Thread "ops" has used 13 tokens/);
    const before = gw.requests.length;
    fake.slash({ userId: ids.carol, channelId: ids.activeThread, name: "thread", subcommand: "usage" });
    fake.slash({
      userId: ids.carol,
      channelId: ids.activeThread,
      name: "thread",
      subcommand: "model",
      options: { name: "echo-2" },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gw.requests.slice(before)).toEqual([]);
  });
});
