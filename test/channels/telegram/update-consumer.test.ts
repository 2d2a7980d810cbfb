import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { StoreUpdateQueue } from "../../../src/channels/telegram/store-update-queue.ts";
import { UpdateConsumer } from "../../../src/channels/telegram/update-consumer.ts";
import type { UpdateQueue } from "../../../src/channels/telegram/update-queue.ts";
import { MemoryStore } from "../../../src/store/index.ts";
import { recordingLogger } from "../../fakes/recording-logger.ts";
import { gate } from "../support/recording-app.ts";
import { until } from "./support/harness.ts";

const update = (id: number) => ({ update_id: id }) as Update;

function consumer(queue: UpdateQueue, handle: (u: Update) => Promise<void>, stopGraceMs = 100) {
  const logger = recordingLogger();
  return {
    logger,
    consumer: new UpdateConsumer({ queue, handle, logger, token: "1:tok", recheckMs: 50, stopGraceMs }),
  };
}

describe("UpdateConsumer", () => {
  it("starts pending updates in update_id order, all at once, and marks each done after its handler", async () => {
    const store = new MemoryStore();
    const queue = new StoreUpdateQueue({ store });
    for (const id of [3, 1, 2]) await queue.put(update(id));
    const started: number[] = [];
    const held = gate();
    const { consumer: c } = consumer(queue, async (u) => {
      started.push(u.update_id);
      if (u.update_id === 1) await held.wait;
    });
    c.start();
    await until(() => started.length === 3, "all started");
    expect(started).toEqual([1, 2, 3]);
    await until(() => store.state.telegramUpdates["3"]?.doneAt !== undefined, "3 done");
    expect(store.state.telegramUpdates["1"]?.doneAt).toBeUndefined();
    held.open();
    await until(() => store.state.telegramUpdates["1"]?.doneAt !== undefined, "1 done");
    await queue.put(update(4));
    await until(() => started.length === 4, "woken by the put");
    await c.stop();
    expect(started).toEqual([1, 2, 3, 4]);
  });

  it("logs a handler that throws, marks its update done and never runs it again", async () => {
    const store = new MemoryStore();
    const queue = new StoreUpdateQueue({ store });
    let runs = 0;
    const { consumer: c, logger } = consumer(queue, async () => {
      runs++;
      throw new Error("handler broke with 1:tok inside");
    });
    c.start();
    await queue.put(update(9));
    await until(() => store.state.telegramUpdates["9"]?.doneAt !== undefined, "done");
    await new Promise((resolve) => setTimeout(resolve, 200));
    await c.stop();
    expect(runs).toBe(1);
    expect(logger.complaints("telegram: update handler failed")).toHaveLength(1);
    expect(logger.text()).not.toContain("1:tok");
  });

  it("finds updates another process put (the re-check), and stop leaves unfinished ones pending", async () => {
    const store = new MemoryStore();
    const queue = new StoreUpdateQueue({ store });
    const held = gate();
    const started: number[] = [];
    // Another process's put wakes nobody here: only the re-check finds it.
    const silent: UpdateQueue = {
      put: (u) => queue.put(u),
      pending: (limit) => queue.pending(limit),
      done: (id) => queue.done(id),
      onPut: () => () => undefined,
    };
    const { consumer: c } = consumer(silent, async (u) => {
      started.push(u.update_id);
      await held.wait;
    });
    c.start();
    await queue.put(update(20));
    await until(() => started.length === 1, "picked up by the re-check");
    const stopping = Date.now();
    await c.stop();
    expect(Date.now() - stopping).toBeLessThan(1000);
    expect(store.state.telegramUpdates["20"]?.doneAt).toBeUndefined();
    held.open();
  });

  it("never starts an update twice when a read of the queue was in flight as its done landed", async () => {
    // A queue whose reads answer late with what was pending when they were asked, as a Postgres
    // query in flight does: the done lands between the question and the answer.
    const store = new MemoryStore();
    const inner = new StoreUpdateQueue({ store });
    const late: UpdateQueue = {
      put: (u) => inner.put(u),
      done: (id) => inner.done(id),
      onPut: (listener) => inner.onPut(listener),
      async pending(limit) {
        const snapshot = await inner.pending(limit);
        await new Promise((resolve) => setTimeout(resolve, 40));
        return snapshot;
      },
    };
    const runs = new Map<number, number>();
    // A handler that ends while the next read is in flight.
    const { consumer: c } = consumer(late, async (u) => {
      runs.set(u.update_id, (runs.get(u.update_id) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    c.start();
    for (let id = 1; id <= 30; id++) {
      await inner.put(update(id));
      await new Promise((resolve) => setTimeout(resolve, 7));
    }
    await until(() => Object.values(store.state.telegramUpdates).every((r) => r.doneAt !== undefined), "all done");
    await new Promise((resolve) => setTimeout(resolve, 200));
    await c.stop();
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(runs.size).toBe(30);
  });
});
