import type { Clock, GatewayEvent, GatewayPort, Logger } from "../ports.ts";

/** How long a Stop stays in force; OpenClaw admits its continuation seconds after boot (hello + 1.7 – 6 s seen). */
const ARMED_MS = 120_000;

/** A Stop waiting for OpenClaw's continuation of one session. */
interface Armed {
  /** Whether a run id is the continuation to stop (never one of the bot's own turns). */
  targets: (runId: string) => boolean;
  /** The continuation's run id when the notice knew it. */
  runId: string | undefined;
  until: number;
  /**
   * Whether the continuation is running as far as the events tell. True at first (the Stop's own abort
   * is on its way); it is aborted again when it turns from stopped to running, or is admitted or started.
   */
  running: boolean;
  /** The guard itself aborted it: its next end ends the guard. */
  reaborted: boolean;
}

/**
 * Keeps a Stop in force until OpenClaw's continuation has really stopped. Seen on 2026.9.6 (test/e2e,
 * "Stop pressed as soon as the notice shows"): chat.abort of the continuation's run before OpenClaw starts
 * it is answered `aborted`, yet the recovery scheduler admits the same run id about 5 s later and runs it
 * to the end. So a Stop is armed per session, and the continuation is aborted again whenever OpenClaw
 * admits or starts it, until it ends or ARMED_MS pass. Only the continuation is aborted: a turn the person
 * sends meanwhile has a run id of the bot's own.
 */
export class StopGuard {
  readonly #gateway: Pick<GatewayPort, "on" | "chatAbort">;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #armed = new Map<string, Armed>();

  constructor(options: { gateway: Pick<GatewayPort, "on" | "chatAbort">; clock: Clock; logger: Logger }) {
    this.#gateway = options.gateway;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#gateway.on((event) => this.#onEvent(event));
  }

  /** Arms a Stop for `sessionKey`: its run `runId`, or (unknown id) any run `isOurs` does not claim. */
  arm(sessionKey: string, runId: string | undefined, isOurs: (runId: string) => boolean): void {
    const targets = runId === undefined ? (id: string) => !isOurs(id) : (id: string) => id === runId;
    const until = this.#clock.now() + ARMED_MS;
    this.#armed.set(sessionKey, { targets, runId, until, running: true, reaborted: false });
  }

  #onEvent(event: GatewayEvent): void {
    if (event.type !== "session" && event.type !== "chat") return;
    const armed = this.#armed.get(event.sessionKey);
    if (!armed) return;
    if (this.#clock.now() > armed.until) {
      this.#armed.delete(event.sessionKey);
      return;
    }
    if (event.type === "chat") {
      if (!armed.targets(event.runId)) return;
      if (event.state === "delta") this.#observe(event.sessionKey, armed, [event.runId]);
      else if (armed.reaborted) this.#armed.delete(event.sessionKey);
      else armed.running = false;
      return;
    }
    const { activeRunIds, hasActiveRun } = event.session;
    // An admission or a start is news even when no `aborted` came in between (OpenClaw may send none
    // for a run it had not started when Stop was pressed).
    const starts = event.reason === "send" || event.reason === "agent.run.started";
    if (activeRunIds !== undefined) this.#observe(event.sessionKey, armed, activeRunIds.filter(armed.targets), starts);
    else if (hasActiveRun === false) armed.running = false;
    // "agent.run.started" names no run ids; only a known continuation id can be aborted on its own.
    else if (hasActiveRun && armed.runId !== undefined) this.#observe(event.sessionKey, armed, [armed.runId], starts);
  }

  /** Runs of the continuation seen active now (none: it stopped); one that starts (again) is aborted. */
  #observe(sessionKey: string, armed: Armed, running: string[], starts = false): void {
    if (running.length > 0 && (!armed.running || starts)) {
      for (const runId of running) this.#abort(sessionKey, armed, runId);
    }
    armed.running = running.length > 0;
  }

  #abort(sessionKey: string, armed: Armed, runId: string): void {
    armed.reaborted = true;
    this.#logger.info("stopping OpenClaw's continuation again: it started after Stop", { sessionKey, runId });
    this.#gateway.chatAbort({ sessionKey, runId }).catch((error: unknown) => {
      this.#logger.warn("could not abort OpenClaw's continuation", { sessionKey, runId, error });
    });
  }
}
