import type { Clock } from "../ports.ts";
import type { Confirmations } from "../threads/confirmations.ts";
import type { ThreadIdentity } from "../threads/identity.ts";
import type { ModelUsage } from "../threads/model-usage.ts";
import type { Recaps } from "../threads/recaps.ts";
import type { ThreadRegistry } from "../threads/registry.ts";
import type { TranscriptExport } from "../threads/transcript-export.ts";
import type { Approvals } from "../turns/approvals.ts";
import type { Relay } from "../turns/relay.ts";
import type { Resumer } from "../turns/resume.ts";
import type { RunControl } from "../turns/run-control.ts";
import type { CommandDefinition } from "./command.ts";

/**
 * What command handlers may use: the thread registry for every read and change of threads, the
 * relay and resumer for turns. Never the store or the gateway: the registry is their only way in.
 */
export interface Services {
  threads: ThreadRegistry;
  relay: Relay;
  resumer: Resumer;
  /** /stop and /steer: the running turn of a thread. */
  runs: RunControl;
  approvals: Approvals;
  /** A thread's model (the gateway's catalog) and usage. */
  modelUsage: ModelUsage;
  clock: Clock;
  /** OpenClaw's recaps of the threads' sessions (slice h4). */
  recaps: Recaps;
  /** Transcript export as files (slice h4). */
  exports: TranscriptExport;
  /** Rename and fork a thread; which threads OpenClaw archived. */
  identity: ThreadIdentity;
  /** Reset and delete, each asked first with a button only the asker may press. */
  confirmations: Confirmations;
  /** All command definitions (for /help). */
  commands(): readonly CommandDefinition<unknown, Services>[];
}
