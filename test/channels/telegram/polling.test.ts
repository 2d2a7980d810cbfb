import { describe, expect, it } from "vitest";
import { createTelegramChannel } from "../../../src/channels/telegram/index.ts";
import { recordingLogger } from "../../fakes/recording-logger.ts";
import { gate, RecordingApp } from "../support/recording-app.ts";
import { alice, aliceDm, bob, group, until, useHarness } from "./support/harness.ts";

const h = useHarness();

describe("Telegram polling and order", () => {
  it("answers a command while a message's handler in the same chat is still running", async () => {
    const held = gate();
    h.app.onMessage = async () => {
      await held.wait;
      return undefined;
    };
    h.tg.userMessage(aliceDm.id, alice, "a long message");
    await until(() => h.app.messageCalls.length === 1, "message handler running");
    h.tg.userMessage(aliceDm.id, alice, "/resume");
    const reply = await h.tg.waitForCall("sendMessage");
    expect(reply.params.text).toBe("ran /resume");
    held.open();
  });

  it("keeps messages of one conversation in order, without blocking other conversations", async () => {
    const held = gate();
    h.app.onMessage = async (invocation) => {
      if (invocation.text === "first") await held.wait;
      return undefined;
    };
    h.tg.userMessage(aliceDm.id, alice, "first");
    h.tg.userMessage(aliceDm.id, alice, "second");
    h.tg.userMessage(group.id, bob, "elsewhere");
    await until(() => h.app.messageCalls.some((m) => m.text === "elsewhere"), "other conversation");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.app.messageCalls.map((m) => m.text)).toEqual(["first", "elsewhere"]);
    held.open();
    await until(() => h.app.messageCalls.length === 3, "second message");
    expect(h.app.messageCalls.map((m) => m.text)).toEqual(["first", "elsewhere", "second"]);
  });

  it("hands a message to the app only after the command before it finished", async () => {
    const held = gate();
    h.app.onCommand = async () => {
      await held.wait;
      return { text: "bound" };
    };
    h.tg.userMessage(aliceDm.id, alice, "/thread budget");
    h.tg.userMessage(aliceDm.id, alice, "hello budget");
    await until(() => h.app.commandCalls.length === 1, "command running");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.app.messageCalls).toEqual([]);
    held.open();
    await until(() => h.app.messageCalls.length === 1, "message after command");
  });

  it("keeps arrival order within one batch of updates: a message waits only for the commands before it", async () => {
    await h.telegram.stop();
    const held = gate();
    h.app.onCommand = async () => {
      await held.wait;
      return { text: "bound" };
    };
    // Queued while nobody polls, so all three come in one getUpdates answer (as after a restart).
    h.tg.userMessage(aliceDm.id, alice, "before");
    h.tg.userMessage(aliceDm.id, alice, "/thread budget");
    h.tg.userMessage(aliceDm.id, alice, "after");
    await h.telegram.start();
    await until(() => h.app.commandCalls.length === 1 && h.app.messageCalls.length === 1, "message and command");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.app.messageCalls.map((m) => m.text)).toEqual(["before"]);
    held.open();
    await until(() => h.app.messageCalls.length === 2, "the message after the command");
    expect(h.app.messageCalls.map((m) => m.text)).toEqual(["before", "after"]);
  });

  it("confirms an update's offset only after its handler finished", async () => {
    const held = gate();
    h.app.onMessage = async () => {
      await held.wait;
      return undefined;
    };
    h.tg.userMessage(aliceDm.id, alice, "journal me");
    const update = h.tg.updates.pending().at(-1)!;
    await until(() => h.app.messageCalls.length === 1, "handler running");
    h.tg.userMessage(aliceDm.id, alice, "/help");
    await h.tg.waitForCall("sendMessage");
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(h.tg.updates.confirmedOffset).toBeLessThanOrEqual(update.update_id);
    held.open();
    await h.tg.waitForConfirmed(update.update_id + 1);
    expect(h.app.messageCalls).toHaveLength(1);
  });

  it("gets an update whose handler never finished again after a restart", async () => {
    const held = gate();
    h.app.onMessage = async () => {
      await held.wait;
      return undefined;
    };
    await h.telegram.stop();
    const app = new RecordingApp();
    app.onMessage = h.app.onMessage;
    const first = createTelegramChannel({
      token: h.tg.token,
      apiRoot: h.tg.apiRoot,
      app,
      logger: recordingLogger(),
      limits: { throttle: false },
      stopGraceMs: 100,
    });
    await first.start();
    h.tg.userMessage(aliceDm.id, alice, "crash during me");
    await until(() => app.messageCalls.length === 1, "held handler");
    await first.stop();
    const again = new RecordingApp();
    const second = createTelegramChannel({
      token: h.tg.token,
      apiRoot: h.tg.apiRoot,
      app: again,
      logger: recordingLogger(),
    });
    await second.start();
    await until(() => again.messageCalls.length === 1, "redelivered message");
    expect(again.messageCalls[0]?.text).toBe("crash during me");
    await second.stop();
    held.open();
    await h.telegram.start();
  });
});
