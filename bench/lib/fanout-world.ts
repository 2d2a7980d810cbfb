/**
 * The state the restart fan-out starts from: 1,000 threads (confirm policy: child sessions of the
 * bot's root, so OpenClaw does not re-run them), each bound to its own Telegram DM, each with one
 * turn journaled and sent on an old gateway boot, a running checkpoint with the tool calls made so
 * far; and, in the fake gateway, each session's transcript ending with that turn's user row and no
 * answer and no run: cut short, nothing continuing. The bot starts on the new boot and must post one
 * interruption notice per conversation.
 */
import { encodeRootSessionKey } from "../../src/core/keys/session-key.ts";
import type { StoreState } from "../../src/core/model.ts";
import type { MergePatch } from "../../src/core/ports.ts";
import type { FakeOpenClawGateway } from "../../test/fakes/fake-gateway.ts";
import type { FakeTelegram } from "../../test/fakes/fake-telegram.ts";
import { SEED_NOW, seedStore } from "./seed.ts";

/** The boot the turns were sent on (the gateway has restarted since). */
export const OLD_BOOT = "old-boot-before-the-restart";

/** Telegram chat id of conversation `i`. */
export function chatIdOf(i: number): number {
  return 710_000_000 + i;
}

/** Builds the store contents and seeds the fake gateway's sessions and the fake Telegram's chats. */
export function buildFanoutWorld(count: number, gw: FakeOpenClawGateway, tg: FakeTelegram): MergePatch<StoreState> {
  const seeded = seedStore(count, { policy: "confirm" });
  const root = encodeRootSessionKey("main");
  gw.store.create({ key: root, label: "threadkeeper root (main)" });
  const threads = seeded.patch.threads as Record<string, Record<string, unknown>>;
  const bindings: Record<string, unknown> = {};
  const journal: Record<string, unknown> = {};
  const checkpoints: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const slug = seeded.slugs[i] ?? "";
    const thread = threads[slug] ?? {};
    const sessionKey = String(thread.sessionKey);
    const chatId = chatIdOf(i);
    tg.addChat({ id: chatId, type: "private", first_name: `Person ${i}` });
    const conversation = `telegram:${chatId}`;
    const turnId = `10000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    const text = `Reconcile the ${seeded.names[i]} invoices against the bank export and file the differences.`;
    const sentAt = SEED_NOW + i;
    thread.state = "running";
    bindings[conversation] = { slug, boundAt: SEED_NOW - 86_400_000, boundBy: `telegram:${chatId}` };
    journal[turnId] = {
      ...{ turnId, slug, sessionKey, conversation, senderId: `telegram:${chatId}`, text, kind: "message" },
      ...{ createdAt: sentAt - 5, seq: count + i + 1, sentBootId: OLD_BOOT, sentAt },
    };
    const toolCalls = [
      { name: "read_file", args: { path: `exports/bank-${i}.csv` }, at: sentAt + 1000 },
      { name: "exec", args: { command: `reconcile --month 2026-09 --thread ${i}` }, at: sentAt + 2000 },
    ];
    checkpoints[slug] = {
      ...{ sessionKey, task: text, turnId, toolCalls, lastToolCall: toolCalls[1], updatedAt: sentAt + 2000 },
      status: "running",
    };
    const record = gw.store.create({ key: sessionKey, label: seeded.names[i], parentSessionKey: root, spawnDepth: 1 });
    gw.store.append(record, { role: "user", content: text }, { idempotencyKey: `${turnId}:user`, senderIsOwner: true });
    record.status = "running";
  }
  return {
    gatewayBootId: OLD_BOOT,
    seq: count * 2 + 1,
    threads,
    bindings,
    journal,
    checkpoints,
  } as MergePatch<StoreState>;
}
