/** The per-turn durable write exactly as the relay makes it (Relay.accept), for the store benchmarks. */
import { Channels } from "../../src/core/channels.ts";
import { slugify } from "../../src/core/keys/thread-slug.ts";
import { silentLogger } from "../../src/core/log.ts";
import type { StorePort } from "../../src/core/ports.ts";
import { AttachmentIntake } from "../../src/core/turns/attachments.ts";
import { Relay } from "../../src/core/turns/relay.ts";
import { MemoryBlobStore } from "../../src/store/blobs.ts";
import { instantGateway } from "./instant-gateway.ts";
import { prng, threadName } from "./seed.ts";

const TEXT = "Can you compare the Q3 forecast with actuals and flag anything over 10%? Then draft the summary.";
const clock = { now: Date.now };

/** Times one durable turn write per call on a seeded store. */
export interface TurnWriter {
  /**
   * Relay.accept for a random one of the store's `threads` seeded threads (the journal entry, the
   * thread's counters and seq; the gateway is away, so nothing is sent); resolves with its ms. With
   * `close`, the turn's end then closes the entry (as Relay's finish does), untimed.
   */
  write(close: boolean): Promise<number>;
}

/** A TurnWriter on `store`, which holds the first `threads` threads of bench/lib/seed.ts. */
export function turnWriter(store: StorePort, threads: number, seed = 7): TurnWriter {
  const gateway = instantGateway(false);
  const relay = new Relay({
    store,
    gateway,
    channels: new Channels(),
    clock,
    logger: silentLogger,
    intake: new AttachmentIntake({ blobs: new MemoryBlobStore(), gateway, logger: silentLogger }),
  });
  const random = prng(seed);
  return {
    async write(close) {
      const slug = slugify(threadName(Math.floor(random() * threads)));
      const thread = store.state.threads[slug];
      if (!thread) throw new Error(`bench: thread ${slug} missing`);
      const started = performance.now();
      const entry = await relay.accept({
        thread,
        conversation: "telegram:500000001",
        senderId: "telegram:42",
        text: TEXT,
      });
      const ms = performance.now() - started;
      if (close) await store.update({ journal: { [entry.turnId]: null } });
      return ms;
    },
  };
}
