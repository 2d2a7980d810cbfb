/**
 * /thread model and /thread usage through grammY on the fake Telegram (issue 13, h3): the model list as
 * inline buttons only the asker may press, bad input in one message, strangers ignored.
 */
import { describe, expect, it } from "vitest";
import { texts } from "../../../src/core/texts.ts";
import { botSays, carol, startBot } from "./support/bot-world.ts";
import { alice, bob, group } from "./support/harness.ts";

function patchedModels(world: Awaited<ReturnType<typeof startBot>>): unknown[] {
  return world.gw.requestsOf("sessions.patch").map((r) => (r.params as { model?: string }).model);
}

describe("telegram: /thread model and /thread usage", () => {
  it("lists the models as buttons; only the asker's press sets one; an unknown model changes nothing", async () => {
    const world = await startBot();
    world.tg.userMessage(group.id, alice, "/thread budget");
    await botSays(world, group.id, undefined, /Created thread/);
    world.tg.userMessage(group.id, alice, "/thread model");
    const list = await botSays(world, group.id, undefined, /runs on fake\/echo-1/);
    const buttons = list.message.reply_markup?.inline_keyboard.flat() ?? [];
    expect(buttons.map((b) => b.text)).toEqual(["✓ Echo 1", "Echo 2"]);
    const echo2 = buttons[1]?.callback_data ?? "";

    world.tg.callbackQuery(bob, list.message, echo2);
    await world.tg.waitUntil(() => world.tg.sent("answerCallbackQuery").length === 1 || undefined);
    expect(world.tg.sent("answerCallbackQuery")[0]?.text).toBe(texts.notYourPicker);
    expect(patchedModels(world)).toEqual([]);

    world.tg.callbackQuery(alice, list.message, echo2);
    await world.tg.waitUntil(() => patchedModels(world).length === 1 || undefined, { what: "the patch" });
    expect(patchedModels(world)).toEqual(["fake/echo-2"]);
    // The pressed list is edited in place: everyone in the chat sees the new model and the new ✓.
    await world.tg.waitUntil(() => /now runs on fake\/echo-2/.test(list.message.text ?? "") || undefined, {
      what: "the list edited",
    });
    expect(list.message.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(["Echo 1", "✓ Echo 2"]);

    world.tg.userMessage(group.id, alice, "/thread@keeper_bot model gpt-9");
    await botSays(world, group.id, undefined, texts.unknownModel("gpt-9"));
    expect(patchedModels(world)).toEqual(["fake/echo-2"]);
  });

  it("tells the usage after a turn; strangers get nothing and cause no gateway call", async () => {
    const world = await startBot();
    world.tg.userMessage(group.id, alice, "/thread budget");
    await botSays(world, group.id, undefined, /Created thread/);
    world.tg.userMessage(group.id, alice, "hello");
    await botSays(world, group.id, undefined, "ECHO: hello");
    world.tg.userMessage(group.id, alice, "/thread usage");
    await botSays(world, group.id, undefined, /^Thread "budget" has used 13 tokens, \$0\.0016 in all\./);
    world.tg.userMessage(group.id, bob, "/thread usage other");
    await botSays(world, group.id, undefined, texts.usageOfOthers);

    const before = world.gw.requests.length;
    world.tg.userMessage(group.id, carol, "/thread model echo-2");
    world.tg.userMessage(group.id, carol, "/thread usage");
    world.tg.userMessage(group.id, alice, "/thread model echo-2");
    await botSays(world, group.id, undefined, /now runs on fake\/echo-2/);
    expect(world.gw.requests.slice(before).map((r) => r.method)).toEqual([
      "models.list",
      "sessions.describe",
      "sessions.patch",
    ]);
  });
});
