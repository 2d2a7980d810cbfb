import { commands, reservedThreadNames } from "../commands/index.ts";
import { App } from "./core/app.ts";
import { Channels } from "./core/channels.ts";
import { Access } from "./core/commands/access.ts";
import type { Services } from "./core/commands/services.ts";
import type { ResumePolicy } from "./core/model.ts";
import type { BlobStore, Clock, GatewayPort, Logger, StorePort } from "./core/ports.ts";
import { Confirmations } from "./core/threads/confirmations.ts";
import { ThreadIdentity } from "./core/threads/identity.ts";
import { ModelUsage } from "./core/threads/model-usage.ts";
import { Recaps } from "./core/threads/recaps.ts";
import { ThreadRegistry } from "./core/threads/registry.ts";
import { TranscriptExport } from "./core/threads/transcript-export.ts";
import { Approvals, type ApproverRule } from "./core/turns/approvals.ts";
import { AttachmentIntake } from "./core/turns/attachments.ts";
import { Outbox } from "./core/turns/outbox.ts";
import { Recovery } from "./core/turns/recovery.ts";
import { Relay } from "./core/turns/relay.ts";
import { Resumer } from "./core/turns/resume.ts";
import { RunControl } from "./core/turns/run-control.ts";
import { StopGuard } from "./core/turns/stop-guard.ts";
import { releaseYoungGarbage } from "./memory.ts";
import { MemoryBlobStore } from "./store/blobs.ts";

/** What composeBot needs: the opened store, a gateway client, and the settings the core reads. */
export interface BotOptions {
  store: StorePort;
  gateway: GatewayPort;
  logger: Logger;
  agentId: string;
  policy: ResumePolicy;
  /** Who may answer an exec approval besides admins (APPROVERS). */
  approvers?: ApproverRule | undefined;
  allowedUsers: readonly string[];
  adminUsers: readonly string[];
  clock?: Clock | undefined;
  /** Where files of turns in flight are kept (beside the store); in memory when not given (tests). */
  blobs?: BlobStore | undefined;
  /** Injected by tests to shorten waits (recovery grace periods). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** The whole bot minus its channels: add channels (built with `app`) to `channels`, then start. */
export interface Bot {
  app: App;
  channels: Channels;
  services: Services;
  relay: Relay;
  recovery: Recovery;
  outbox: Outbox;
  /** Connects to the gateway; rejects (GATEWAY_AWAY) if it is not reachable, while reconnecting goes on. */
  start(): Promise<void>;
  /** Stops retries and the gateway connection; flushes the store (the caller closes it). */
  stop(): Promise<void>;
}

/** Wires the core together; the composition root (src/main.ts) and integration tests use it. */
export function composeBot(options: BotOptions): Bot {
  const { store, gateway, logger } = options;
  const clock = options.clock ?? { now: Date.now };
  const channels = new Channels();
  const blobs = options.blobs ?? new MemoryBlobStore();
  const intake = new AttachmentIntake({ blobs, gateway, logger });
  // Shared: Stop arms it from a notice; under confirm the recovery arms it at connect and the relay waits for it.
  const stops = new StopGuard({ gateway, clock, logger });
  const relay = new Relay({ store, gateway, channels, clock, logger, intake, takeBack: stops });
  const threads = new ThreadRegistry({
    store,
    gateway,
    agentId: options.agentId,
    policy: options.policy,
    clock,
    logger,
    turns: relay,
    reservedNames: reservedThreadNames,
  });
  const outbox = new Outbox({ store, channels, clock, logger });
  const recovery = new Recovery({
    store,
    gateway,
    relay,
    outbox,
    channels,
    clock,
    logger,
    policy: options.policy,
    intake,
    stops,
    sleep: options.sleep,
  });
  const resumer = new Resumer({ store, gateway, relay, threads, clock, logger, stops });
  const access = new Access({ allowed: options.allowedUsers, admins: options.adminUsers });
  const approvals = new Approvals({
    store,
    gateway,
    channels,
    clock,
    logger,
    isAdmin: (id) => access.isAdmin(id),
    rule: options.approvers ?? "requester",
  });
  const runs = new RunControl({ store, gateway, relay, threads, resumer, clock, logger, takeBack: stops });
  const identity = new ThreadIdentity({ ...options, store, gateway, threads, channels, turns: relay, clock });
  const confirmations = new Confirmations({ store, gateway, identity, channels, clock, logger });
  const modelUsage = new ModelUsage({ gateway, threads, agentId: options.agentId, logger, sleep: options.sleep });
  const recaps = new Recaps({ gateway, clock, logger });
  const exports = new TranscriptExport({ gateway, channels, blobs, logger, releaseGarbage: releaseYoungGarbage });
  const services: Services = {
    threads,
    relay,
    resumer,
    runs,
    approvals,
    modelUsage,
    clock,
    recaps,
    exports,
    commands: () => commands,
    identity,
    confirmations,
  };
  const app = new App({ commands, services, access, store, gateway, intake, logger });
  return {
    app,
    channels,
    services,
    relay,
    recovery,
    outbox,
    start: async () => {
      void outbox.drain();
      await sweepBlobs(blobs, store, logger);
      await gateway.start();
    },
    stop: async () => {
      outbox.stop();
      await gateway.stop();
      await store.flush();
    },
  };
}

/** Files a crash left behind (journaled by no turn) go before the bot takes new work. */
async function sweepBlobs(blobs: BlobStore, store: StorePort, logger: Logger): Promise<void> {
  const keep = new Set(Object.values(store.state.journal).flatMap((e) => (e.attachments ?? []).map((a) => a.blob)));
  const removed = await blobs.sweep(keep);
  if (removed > 0) logger.info("removed attachment files no turn needs", { removed });
}
