import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { toChoices } from "../../../src/channels/discord/interactions.ts";
import { ids } from "../../fakes/fake-discord.ts";
import { slashAnswered, startHarness } from "./support/harness.ts";

const EPHEMERAL = 64;
const thread = `discord:${ids.guild}:${ids.activeThread}`;

describe("discord buttons and autocomplete", () => {
  it("hands a button press to the core and answers the presser ephemerally", async () => {
    const { fake, app, discord } = await startHarness();
    const notice = await discord.channel.send(thread, {
      text: "Interrupted.",
      buttons: [{ label: "Resume", data: "tk:r:1" }],
    });
    const press = fake.pressButton({ userId: ids.alice, messageId: notice, customId: "tk:r:1" });
    await fake.waitFor(() => press.original, { what: "answer" });
    expect(app.actionCalls[0]).toMatchObject({
      data: "tk:r:1",
      messageId: notice,
      sender: { id: `discord:${ids.alice}` },
      place: { conversation: thread, direct: false },
    });
    expect(press.original).toMatchObject({ content: "Resuming.", flags: EPHEMERAL });
  });

  it("answers a foreign or stale custom id with the core's explanation", async () => {
    const { fake, app, discord } = await startHarness();
    const old = await discord.channel.send(thread, {
      text: "Old.",
      buttons: [{ label: "Go", data: "someone-else:42" }],
    });
    const press = fake.pressButton({ userId: ids.bob, messageId: old, customId: "someone-else:42" });
    await fake.waitFor(() => press.original, { what: "answer" });
    expect(app.actionCalls[0]?.data).toBe("someone-else:42");
    expect(press.original?.content).toMatch(/not one of this bot's/);
    expect(press.original?.flags).toBe(EPHEMERAL);
  });

  it("defers a slow button ephemerally and fills the answer in", async () => {
    const { fake, app, discord } = await startHarness({ deferAfterMs: 30 });
    app.onAction = async () => {
      await sleep(150);
      return { text: "Resumed after a pause." };
    };
    const notice = await discord.channel.send(`discord:dm:${ids.alice}`, {
      text: "x",
      buttons: [{ label: "Resume", data: "tk:r:2" }],
    });
    const press = fake.pressButton({ userId: ids.alice, messageId: notice, customId: "tk:r:2" });
    await fake.waitFor(() => press.original?.content === "Resumed after a pause.", { what: "filled in" });
    expect(press.callbacks[0]).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    expect(app.actionCalls[0]?.place).toMatchObject({ conversation: `discord:dm:${ids.alice}`, direct: true });
  });

  it("turns the page in place for a button on an ephemeral message (/threads paging)", async () => {
    const { fake, app } = await startHarness();
    app.onCommand = async () => ({
      text: "Threads 1–10 of 12",
      buttons: [{ label: "Next ▶", data: "tk:p:1" }],
      ephemeral: true,
    });
    app.onAction = async () => ({
      text: "Threads 11–12 of 12",
      buttons: [{ label: "◀ Previous", data: "tk:p:0" }],
      ephemeral: true,
    });
    const list = await slashAnswered(fake, { userId: ids.alice, channelId: ids.general, name: "threads" });
    const press = fake.pressButton({ userId: ids.alice, messageId: list.original?.id ?? "", customId: "tk:p:1" });
    await fake.waitFor(() => press.callbacks[0], { what: "update" });
    expect(press.callbacks[0]?.type).toBe(7);
    expect(list.original?.content).toBe("Threads 11–12 of 12");
    expect(list.original?.edits).toEqual(["Threads 1–10 of 12"]);
    expect(JSON.stringify(list.original?.components)).toContain("tk:p:0");
    expect(press.original).toBeUndefined();
  });

  it("defers a slow page turn as an update and then edits the page", async () => {
    const { fake, app } = await startHarness({ deferAfterMs: 30 });
    app.onCommand = async () => ({ text: "page 1", buttons: [{ label: "Next ▶", data: "tk:p:1" }], ephemeral: true });
    app.onAction = async () => {
      await sleep(150);
      return { text: "page 2", ephemeral: true };
    };
    const list = await slashAnswered(fake, { userId: ids.alice, channelId: ids.general, name: "threads" });
    const press = fake.pressButton({ userId: ids.alice, messageId: list.original?.id ?? "", customId: "tk:p:1" });
    await fake.waitFor(() => list.original?.content === "page 2", { what: "second page" });
    expect(press.callbacks[0]?.type).toBe(6);
    expect(list.original?.components).toEqual([]);
  });

  it("passes a 200-character autocomplete query truncated, and answers valid choices", async () => {
    const { fake, app } = await startHarness();
    app.onAutocomplete = async () => ["budget-planning", "", "x".repeat(101), "budget-planning", "b".repeat(100)];
    const typed = "é".repeat(99) + "😀".repeat(51);
    const record = fake.autocomplete({
      userId: ids.alice,
      channelId: ids.general,
      name: "thread",
      focused: "name",
      value: typed,
    });
    await fake.waitFor(() => record.choices, { what: "choices" });
    const call = app.autocompleteCalls[0];
    expect(call).toMatchObject({ command: "thread", param: "name" });
    expect(call?.query.length).toBeLessThanOrEqual(100);
    // The cut never leaves half of a surrogate pair behind.
    expect(call?.query).toBe("é".repeat(99));
    expect(record.callbacks[0]?.type).toBe(8);
    expect(record.choices).toEqual([
      { name: "budget-planning", value: "budget-planning" },
      { name: "b".repeat(100), value: "b".repeat(100) },
    ]);
  });

  it("answers autocomplete with no choices rather than too late", async () => {
    const { fake, app } = await startHarness();
    app.onAutocomplete = async () => {
      await sleep(2_800);
      return ["late"];
    };
    const record = fake.autocomplete({ userId: ids.alice, dm: true, name: "resume", focused: "name", value: "b" });
    await fake.waitFor(() => record.choices, { timeoutMs: 4_000, what: "choices" });
    expect(record.choices).toEqual([]);
  });

  it("keeps at most 25 choices", () => {
    const names = Array.from({ length: 40 }, (_, i) => `thread-${i}`);
    expect(toChoices(names)).toHaveLength(25);
  });
});
