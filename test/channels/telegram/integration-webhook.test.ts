import { describe, expect, it } from "vitest";
import { prng } from "../../../bench/lib/seed.ts";
import { createTelegramChannel, StoreUpdateQueue, type TelegramChannel } from "../../../src/channels/telegram/index.ts";
import { MemoryStore } from "../../../src/store/index.ts";
import { type FakeChat, FakeTelegram } from "../../fakes/fake-telegram.ts";
import { recordingLogger } from "../../fakes/recording-logger.ts";
import { startBotWorld } from "../support/bot-world.ts";
import { afterThisTest } from "../support/teardown.ts";
import { alice } from "./support/harness.ts";
import { HOOK_PATH, webhookOptions } from "./support/webhook.ts";

const THREADS = 20;
const PER_THREAD = 10;

describe("telegram webhooks with the real core", () => {
  it("answers 200 messages over 20 threads exactly once each, in order, through two fronts with 10 % redelivered", async () => {
    const tg = await FakeTelegram.start();
    const chats: FakeChat[] = Array.from({ length: THREADS }, (_, i) => ({
      id: -5000 - i,
      type: "group",
      title: `Group ${i}`,
    }));
    for (const chat of chats) tg.addChat(chat);
    // One queue behind two HTTP fronts (a load balancer in front of them); the first front's channel handles.
    const queue = new StoreUpdateQueue({ store: new MemoryStore() });
    const world = await startBotWorld(
      {
        logPrefix: "telegram:",
        secrets: [tg.token],
        connect: (app, logger) =>
          createTelegramChannel({
            token: tg.token,
            apiRoot: tg.apiRoot,
            app,
            logger,
            limits: { throttle: false },
            webhook: webhookOptions(queue),
          }),
        close: async () => {
          await tg.stop();
          expect(tg.unimplemented).toEqual([]);
        },
      },
      { allowedUsers: [`telegram:${alice.id}`], adminUsers: [] },
    );
    const front: TelegramChannel = createTelegramChannel({
      token: tg.token,
      apiRoot: tg.apiRoot,
      app: world.bot.app,
      logger: recordingLogger(),
      limits: { throttle: false },
      webhook: webhookOptions(queue, { consume: false }),
    });
    afterThisTest(() => front.stop());
    await front.start();
    const targets = [world.channel, front].map((c) => `http://127.0.0.1:${c.webhook?.address?.port}${HOOK_PATH}`);
    tg.webhook.options = { targets, duplicateRate: 0.1, random: prng(14) };

    const echoes = (chat: FakeChat) =>
      tg
        .botMessages(chat.id)
        .map((m) => m.message.text ?? "")
        .filter((t) => t.startsWith("ECHO"));
    for (const [i, chat] of chats.entries()) tg.userMessage(chat.id, alice, `/thread t${i}`);
    await tg.waitUntil(() => chats.every((c) => tg.botMessages(c.id).length > 0) || undefined, {
      timeoutMs: 20_000,
      what: "every thread created",
    });
    for (let j = 0; j < PER_THREAD; j++) {
      for (const [i, chat] of chats.entries()) tg.userMessage(chat.id, alice, `m ${i}.${j}`);
    }
    await tg.waitUntil(() => chats.every((c) => echoes(c).length >= PER_THREAD) || undefined, {
      timeoutMs: 50_000,
      what: "200 answers",
    });
    await new Promise((resolve) => setTimeout(resolve, 300));

    for (const [i, chat] of chats.entries()) {
      const expected = Array.from({ length: PER_THREAD }, (_, j) => `ECHO: m ${i}.${j}`);
      expect(echoes(chat), chat.title).toEqual(expected);
    }
    const sent = world.gw.requestsOf("chat.send").map((r) => (r.params as { message: string }).message);
    expect(sent).toHaveLength(THREADS * PER_THREAD);
    expect(new Set(sent).size).toBe(THREADS * PER_THREAD);
    // Redeliveries happened, and both fronts took updates.
    const ok = tg.webhook.deliveries.filter((d) => d.status === 200);
    const ids = new Set(ok.map((d) => d.updateId));
    expect(ok.length - ids.size).toBeGreaterThan(10);
    for (const target of targets)
      expect(
        ok.some((d) => d.url === target),
        target,
      ).toBe(true);
    expect(tg.webhook.dropped).toEqual([]);
  }, 90_000);
});
