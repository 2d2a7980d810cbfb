import { type ResumePolicy, threadPolicy } from "../model.ts";
import type { GatewayPort, Logger, SessionInfo, StorePort } from "../ports.ts";
import { sessionBusy } from "./session-busy.ts";
import type { StopGuard } from "./stop-guard.ts";

/**
 * RESUME_POLICY=confirm for ordinary sessions (ARCHITECTURE.md §6): after a gateway crash OpenClaw re-runs every
 * cut turn by itself (admitted about 1.7 s after hello, at the model about 4 s after it). The bot is back
 * within a second of the boot and takes each re-run back at its admission, so the turn waits for the person.
 * Which sessions: every turn the journal shows sent to an earlier boot, and every turn still waiting for its
 * Resume. A re-run the bot aborted is not re-run after the next crash (seen on 2026.9.6, test/e2e/confirm-takeback),
 * but a crash before the bot aborted it leaves it pending, and the next boot re-runs it.
 * The bot's own turns of such a session wait until its re-run is taken back (StopGuard.held).
 */
export class TakeBack {
  readonly #store: StorePort;
  readonly #gateway: Pick<GatewayPort, "chatHistory">;
  readonly #stops: StopGuard;
  readonly #policy: ResumePolicy;
  readonly #logger: Logger;

  constructor(options: {
    store: StorePort;
    gateway: Pick<GatewayPort, "chatHistory">;
    stops: StopGuard;
    policy: ResumePolicy;
    logger: Logger;
  }) {
    this.#store = options.store;
    this.#gateway = options.gateway;
    this.#stops = options.stops;
    this.#policy = options.policy;
    this.#logger = options.logger;
  }

  /** Whether the thread's crash-cut turns are taken back (an ordinary session under confirm). */
  applies(slug: string): boolean {
    const thread = this.#store.state.threads[slug];
    // A child session is never re-run by OpenClaw: nothing to take back.
    if (thread === undefined || thread.parentSessionKey !== undefined) return false;
    return threadPolicy(thread, this.#policy) === "confirm";
  }

  /**
   * On connect, before any request: arms a take-back for each session OpenClaw may re-run, when the gateway
   * is a new boot. Returns the sessions armed only for a turn waiting for Resume (no journal entry tells
   * the recovery about them: `settleWaiting` looks at them).
   */
  arm(bootId: string): string[] {
    const { gatewayBootId, journal, notices, threads } = this.#store.state;
    if (gatewayBootId === undefined || gatewayBootId === bootId) return [];
    const isOurs = (runId: string) => this.#store.state.journal[runId] !== undefined;
    const cut = new Set(
      Object.values(journal)
        .filter((e) => e.sentBootId !== undefined && e.sentBootId !== bootId)
        .map((e) => e.slug),
    );
    const waiting = new Set(
      Object.values(notices)
        .filter((n) => n.state === "open" && n.kind === "resume" && !cut.has(n.slug))
        .map((n) => n.slug),
    );
    const armed = (slugs: Set<string>) =>
      [...slugs].filter((slug) => this.applies(slug)).flatMap((slug) => threads[slug]?.sessionKey ?? []);
    const waitingKeys = armed(waiting);
    for (const key of [...armed(cut), ...waitingKeys]) this.#stops.takeBack(key, isOurs);
    return waitingKeys;
  }

  /** What a session showed after the restart: no re-run coming lets the bot's turns go; one running is aborted. */
  observed(sessionKey: string, session: SessionInfo): void {
    if (!reRunComing(session)) this.#stops.noReRun(sessionKey);
    // OpenClaw clears `abortedLastRun` when it admits the re-run (docs/openclaw-restart-recovery.md).
    else this.#stops.takeBackRunning(sessionKey, session.activeRunIds ?? [], session.abortedLastRun !== true);
  }

  /** Reads each session armed for a waiting turn once (the journal's turns are read by the recovery). */
  async settleWaiting(sessionKeys: readonly string[]): Promise<void> {
    for (const sessionKey of sessionKeys) {
      try {
        const history = await this.#gateway.chatHistory({ sessionKey, limit: 1 });
        this.observed(sessionKey, history.session);
      } catch (error) {
        this.#logger.warn("could not read a session waiting for Resume after a restart", { sessionKey, error });
      }
    }
  }
}

/**
 * OpenClaw runs the session by itself now or soon: a run is active, or the boot's scan marked it for recovery
 * (`status: "running"` with `abortedLastRun`). A run aborted by chat.abort, the take-back's own included,
 * also leaves `abortedLastRun`, but with `status: "killed"`, and nothing follows (docs/openclaw-agent-loop.md §5).
 */
function reRunComing(session: SessionInfo): boolean {
  return sessionBusy(session) || (session.abortedLastRun === true && session.status === "running");
}
