import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { UpdateLedger } from "../../../src/channels/telegram/ledger.ts";
import { ConversationOrder } from "../../../src/channels/telegram/order.ts";
import { gate } from "../support/recording-app.ts";

const updates = (...ids: number[]): Update[] => ids.map((update_id) => ({ update_id }));

describe("UpdateLedger", () => {
  it("confirms only past finished handlers and drops updates fetched again", () => {
    const ledger = new UpdateLedger();
    expect(ledger.accept(updates(10, 11, 12), ledger.offset).map((u) => u.update_id)).toEqual([10, 11, 12]);
    ledger.settle(11);
    ledger.settle(12);
    expect(ledger.offset).toBe(10);
    expect(ledger.accept(updates(10, 11, 12, 13), 10).map((u) => u.update_id)).toEqual([13]);
    ledger.settle(10);
    expect(ledger.offset).toBe(13);
    ledger.settle(13);
    expect(ledger.offset).toBe(14);
    expect(ledger.busy).toBe(false);
  });

  it("takes every update of a poll sent past everything seen (ids restart after a quiet week)", () => {
    const ledger = new UpdateLedger();
    ledger.accept(updates(500), 0);
    ledger.settle(500);
    expect(ledger.accept(updates(7), ledger.offset).map((u) => u.update_id)).toEqual([7]);
  });

  it("wakes waiters when a handler finishes", async () => {
    const ledger = new UpdateLedger();
    ledger.accept(updates(1), 0);
    const changed = ledger.changed(10_000);
    ledger.settle(1);
    await changed;
    await ledger.idle(10);
    expect(ledger.busy).toBe(false);
  });
});

describe("ConversationOrder", () => {
  it("runs messages after earlier messages and commands; commands only after commands", async () => {
    const order = new ConversationOrder();
    const log: string[] = [];
    const held = gate();
    const command = order.command("c", async () => {
      await held.wait;
      log.push("command");
    });
    const message = order.message("c", async () => {
      log.push("message");
    });
    const second = order.command("c", async () => {
      log.push("second command");
    });
    const elsewhere = order.message("other", async () => {
      log.push("elsewhere");
    });
    await elsewhere;
    expect(log).toEqual(["elsewhere"]);
    held.open();
    await Promise.all([command, message, second]);
    expect(log.slice(1, 2)).toEqual(["command"]);
    expect(log.slice(2).sort()).toEqual(["message", "second command"]);
  });

  it("keeps going after a failed handler", async () => {
    const order = new ConversationOrder();
    await expect(order.message("c", async () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    let ran = false;
    await order.message("c", async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });
});
