import { describe, expect, it } from "vitest";
import { createTelegramChannel, StoreUpdateQueue } from "../../../src/channels/telegram/index.ts";
import { MemoryStore } from "../../../src/store/index.ts";
import { FakeTelegram } from "../../fakes/fake-telegram.ts";
import { recordingLogger } from "../../fakes/recording-logger.ts";
import { gate, RecordingApp } from "../support/recording-app.ts";
import { afterThisTest } from "../support/teardown.ts";
import { alice, aliceDm, bob, group, until } from "./support/harness.ts";
import { FlakyQueue, GatedStore, post, SECRET, startWebhookChannel, webhookOptions } from "./support/webhook.ts";

/** A fake Telegram with the shared chats; stopped after the test, having been asked nothing it lacks. */
async function fakeTelegram(): Promise<FakeTelegram> {
  const tg = await FakeTelegram.start();
  for (const chat of [aliceDm, group]) tg.addChat(chat);
  afterThisTest(async () => {
    await tg.stop();
    expect(tg.unimplemented).toEqual([]);
  });
  return tg;
}

const update = (id: number, text = "hi") => ({
  update_id: id,
  message: { message_id: id, date: 1, chat: { id: aliceDm.id, type: "private" }, from: alice, text },
});

describe("Telegram webhook mode", () => {
  it("sets the webhook with the secret on start and never polls", async () => {
    const tg = await fakeTelegram();
    const app = new RecordingApp();
    const { url } = await startWebhookChannel(
      tg,
      app,
      webhookOptions(new StoreUpdateQueue({ store: new MemoryStore() })),
    );
    expect(tg.webhook.setting).toMatchObject({ url: `${url}/tg/hook`, secretToken: SECRET, maxConnections: 1 });
    expect(tg.webhook.setting?.allowedUpdates).toEqual(["message", "callback_query"]);
    tg.userMessage(aliceDm.id, alice, "/help");
    await tg.waitForCall("sendMessage");
    expect(app.commandCalls.map((c) => c.name)).toEqual(["help"]);
    expect(tg.calls.map((c) => c.method)).not.toContain("getUpdates");
    expect(tg.calls.map((c) => c.method)).not.toContain("deleteWebhook");
    expect(tg.webhook.deliveries.map((d) => d.status)).toEqual([200]);
  });

  it("refuses a wrong or missing secret with 401 and records nothing", async () => {
    const tg = await fakeTelegram();
    const store = new MemoryStore();
    const app = new RecordingApp();
    const { url, logger } = await startWebhookChannel(tg, app, webhookOptions(new StoreUpdateQueue({ store })));
    expect((await post(url, update(1), null)).status).toBe(401);
    expect((await post(url, update(2), `${SECRET}x`)).status).toBe(401);
    expect((await post(url, update(3), SECRET.slice(0, -1))).status).toBe(401);
    expect((await post(url, update(4), "")).status).toBe(401);
    expect(store.state.telegramUpdates).toEqual({});
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(app.messageCalls).toEqual([]);
    expect(logger.text()).not.toContain(SECRET);
  });

  it("answers 400 to a body that is no update, 413 past 1 MB, 404 elsewhere, and records nothing", async () => {
    const tg = await fakeTelegram();
    const store = new MemoryStore();
    const { url } = await startWebhookChannel(tg, new RecordingApp(), webhookOptions(new StoreUpdateQueue({ store })));
    for (const body of ["not json", "[1]", "{}", '{"update_id":"7"}', '{"update_id":-1}', '{"update_id":1.5}', "null"])
      expect((await post(url, body)).status, body).toBe(400);
    const big = { ...update(5), padding: "x".repeat(1024 * 1024) };
    expect((await post(url, big)).status).toBe(413);
    const elsewhere = await fetch(`${url}/other`, { method: "POST", body: "{}" });
    expect(elsewhere.status).toBe(404);
    expect((await fetch(`${url}/tg/hook`)).status).toBe(405);
    expect(store.state.telegramUpdates).toEqual({});
  });

  it("answers the health check", async () => {
    const tg = await fakeTelegram();
    const queue = new StoreUpdateQueue({ store: new MemoryStore() });
    const { url, telegram } = await startWebhookChannel(tg, new RecordingApp(), webhookOptions(queue));
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, mode: "webhook", handling: true });
    await telegram.webhook?.consumer.stop();
    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ ok: true, handling: false });
  });

  it("answers 200 only once the update is durably recorded", async () => {
    const tg = await fakeTelegram();
    const store = new GatedStore();
    const app = new RecordingApp();
    const { url } = await startWebhookChannel(tg, app, webhookOptions(new StoreUpdateQueue({ store })));
    store.held = true;
    let answered: number | undefined;
    const request = post(url, update(11, "hold my write")).then((r) => {
      answered = r.status;
    });
    await until(() => store.waiting === 1, "the write held");
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(answered).toBeUndefined();
    // A redelivery meanwhile is not answered either: the first write is not durable yet.
    let again: number | undefined;
    const redelivery = post(url, update(11, "hold my write")).then((r) => {
      again = r.status;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(again).toBeUndefined();
    store.release();
    await Promise.all([request, redelivery]);
    expect([answered, again]).toEqual([200, 200]);
    expect(store.state.telegramUpdates["11"]).toBeDefined();
    await until(() => store.state.telegramUpdates["11"]?.doneAt !== undefined, "update done");
    expect(app.messageCalls.map((m) => m.text)).toEqual(["hold my write"]);
  });

  it("handles a redelivered update once, pending or done", async () => {
    const tg = await fakeTelegram();
    const app = new RecordingApp();
    const held = gate();
    app.onMessage = async () => {
      await held.wait;
      return undefined;
    };
    const { url } = await startWebhookChannel(
      tg,
      app,
      webhookOptions(new StoreUpdateQueue({ store: new MemoryStore() })),
    );
    expect((await post(url, update(21, "once"))).status).toBe(200);
    await until(() => app.messageCalls.length === 1, "handler running");
    expect((await post(url, update(21, "once"))).status).toBe(200);
    held.open();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await post(url, update(21, "once"))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(app.messageCalls.map((m) => m.text)).toEqual(["once"]);
  });

  it("answers 503 when the queue cannot record an update, and handles Telegram's redelivery once", async () => {
    const tg = await fakeTelegram();
    const app = new RecordingApp();
    const queue = new FlakyQueue();
    const { logger } = await startWebhookChannel(tg, app, webhookOptions(queue));
    queue.failPuts = 2;
    tg.userMessage(aliceDm.id, alice, "/thread budget");
    await tg.waitForCall("sendMessage");
    expect(tg.webhook.deliveries.map((d) => d.status)).toEqual([503, 503, 200]);
    expect(app.commandCalls).toHaveLength(1);
    expect(logger.complaints("telegram: webhook update not recorded")).toHaveLength(2);
    expect(logger.text()).not.toContain(SECRET);
    expect(logger.text()).not.toContain(tg.token);
  });

  it("keeps polling's order rules: a command is not stuck behind a message, a conversation's messages stay in order", async () => {
    const tg = await fakeTelegram();
    const app = new RecordingApp();
    const held = gate();
    app.onMessage = async (invocation) => {
      if (invocation.text === "first") await held.wait;
      return undefined;
    };
    await startWebhookChannel(tg, app, webhookOptions(new StoreUpdateQueue({ store: new MemoryStore() })));
    tg.userMessage(aliceDm.id, alice, "first");
    tg.userMessage(aliceDm.id, alice, "second");
    tg.userMessage(group.id, bob, "elsewhere");
    tg.userMessage(aliceDm.id, alice, "/resume");
    await tg.waitForCall("sendMessage", (p) => p.text === "ran /resume");
    await until(() => app.messageCalls.some((m) => m.text === "elsewhere"), "other conversation");
    expect(app.messageCalls.map((m) => m.text)).toEqual(["first", "elsewhere"]);
    held.open();
    await until(() => app.messageCalls.length === 3, "second message");
    expect(app.messageCalls.map((m) => m.text)).toEqual(["first", "elsewhere", "second"]);
  });

  it("marks an update whose handler threw done, logged, and never runs it again", async () => {
    const tg = await fakeTelegram();
    const app = new RecordingApp();
    const store = new MemoryStore();
    app.onMessage = async () => {
      throw new Error("boom");
    };
    const { logger } = await startWebhookChannel(tg, app, webhookOptions(new StoreUpdateQueue({ store })));
    const sent = tg.userMessage(aliceDm.id, alice, "explode");
    await until(() => Object.values(store.state.telegramUpdates).some((r) => r.doneAt !== undefined), "done");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(app.messageCalls).toHaveLength(1);
    expect(sent.text).toBe("explode");
    // The channel answers the person itself (respond.ts); whatever escaped is logged, not retried.
    expect(logger.entries.filter((e) => e.level === "error").length).toBeLessThanOrEqual(1);
  });

  it("handles updates recorded but not handled before a restart, once, after it", async () => {
    const tg = await fakeTelegram();
    const store = new MemoryStore();
    const first = new RecordingApp();
    const held = gate();
    first.onMessage = async () => {
      await held.wait;
      return undefined;
    };
    // The first process records everything but handles only the first message, which never finishes.
    const one = await startWebhookChannel(tg, first, webhookOptions(new StoreUpdateQueue({ store })), {
      stopGraceMs: 50,
    });
    tg.userMessage(aliceDm.id, alice, "cut short");
    await until(() => first.messageCalls.length === 1, "first handler running");
    await one.telegram.webhook?.consumer.stop();
    tg.userMessage(aliceDm.id, alice, "recorded only");
    await until(() => tg.updates.pending().length === 0, "both delivered");
    await one.telegram.stop();
    expect(first.messageCalls.map((m) => m.text)).toEqual(["cut short"]);

    const again = new RecordingApp();
    await startWebhookChannel(tg, again, webhookOptions(new StoreUpdateQueue({ store })));
    await until(() => again.messageCalls.length === 2, "both handled after the restart");
    expect(again.messageCalls.map((m) => m.text)).toEqual(["cut short", "recorded only"]);
    await until(() => Object.values(store.state.telegramUpdates).every((r) => r.doneAt !== undefined), "all done");
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(again.messageCalls).toHaveLength(2);
    held.open();
  });

  it("refuses to start on a listen address in use, in one line naming the setting", async () => {
    const tg = await fakeTelegram();
    const queue = new StoreUpdateQueue({ store: new MemoryStore() });
    const { telegram } = await startWebhookChannel(tg, new RecordingApp(), webhookOptions(queue));
    const taken = { host: "127.0.0.1", port: telegram.webhook?.address?.port ?? 0 };
    const second = createTelegramChannel({
      token: tg.token,
      apiRoot: tg.apiRoot,
      app: new RecordingApp(),
      logger: recordingLogger(),
      webhook: webhookOptions(queue, { listen: taken }),
    });
    afterThisTest(() => second.stop());
    await expect(second.start()).rejects.toThrow(
      `TELEGRAM_WEBHOOK_LISTEN 127.0.0.1:${taken.port}: the address is in use (another process listens there)`,
    );
  });

  it("keeps long polling when no webhook is configured: deleteWebhook, getUpdates, no server", async () => {
    const tg = await fakeTelegram();
    const app = new RecordingApp();
    const telegram = createTelegramChannel({
      token: tg.token,
      apiRoot: tg.apiRoot,
      app,
      logger: recordingLogger(),
      limits: { throttle: false },
    });
    afterThisTest(() => telegram.stop());
    await telegram.start();
    expect(telegram.webhook).toBeUndefined();
    tg.userMessage(aliceDm.id, alice, "/help");
    await tg.waitForCall("sendMessage");
    const methods = tg.calls.map((c) => c.method);
    expect(methods).toContain("deleteWebhook");
    expect(methods).toContain("getUpdates");
    expect(methods).not.toContain("setWebhook");
    expect(tg.webhook.deliveries).toEqual([]);
  });
});
