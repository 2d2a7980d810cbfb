import type { Clock, GatewayEvent, GatewayPort, Logger } from "../ports.ts";

/** How long a Stop stays in force; OpenClaw admits its continuation seconds after boot (hello + 1.7 – 6 s seen). */
const ARMED_MS = 120_000;
/** Longest a take-back holds the bot's own turns of the session back, when no re-run shows up. */
const HOLD_MAX_MS = 15_000;

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
  /** The guard itself aborted it: its next end ends the guard (unless it is a take-back). */
  reaborted: boolean;
  /**
   * A take-back (RESUME_POLICY=confirm): nothing was aborted yet, the first run that is not the bot's is
   * the re-run to hold back, and the guard outlives its ends: a run aborted before its admission is admitted
   * again (seen after an early Stop), so one that is must find the guard still there.
   */
  takeBack: boolean;
  /** Take-back: resolves once the re-run was aborted and ended (or none is coming); then the bot may send. */
  settled?: PromiseWithResolvers<void> | undefined;
  /** Take-back: `settled` has not resolved yet. */
  holding?: boolean | undefined;
  /**
   * Take-back: the re-run was aborted as OpenClaw admitted or ran it. An abort of a re-run only listed in
   * `chat.history` (not admitted yet) does not count: OpenClaw admits that run again about 5 s later, and a
   * turn of the bot's sent meanwhile would queue behind it.
   */
  tookBack?: boolean | undefined;
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
    this.#armed.set(sessionKey, { targets, runId, until, running: true, reaborted: false, takeBack: false });
  }

  /**
   * Takes OpenClaw's crash re-run of `sessionKey` back before it reaches the model (ARCHITECTURE.md §6,
   * confirm): armed at connect, before OpenClaw admits the re-run (hello + ~1.7 s), so the admission
   * itself is aborted; the re-run's id is then the only target, and it is aborted each time it is admitted
   * again, until ARMED_MS pass. Each gateway boot has a re-run of its own: arming replaces what an earlier
   * boot left.
   */
  takeBack(sessionKey: string, isOurs: (runId: string) => boolean): void {
    this.#settle(this.#armed.get(sessionKey));
    const armed: Armed = {
      targets: (id: string) => !isOurs(id),
      runId: undefined,
      until: this.#clock.now() + ARMED_MS,
      running: false,
      reaborted: false,
      takeBack: true,
      settled: Promise.withResolvers<void>(),
      holding: true,
    };
    this.#armed.set(sessionKey, armed);
    setTimeout(() => this.#settle(armed), HOLD_MAX_MS).unref();
  }

  /**
   * While true, the bot's own turns of `sessionKey` wait (`held`): a turn sent before OpenClaw admitted the
   * re-run would queue behind it, and the first run that is not the bot's could then be the person's own
   * message instead of the re-run.
   */
  holding(sessionKey: string): boolean {
    return this.#armed.get(sessionKey)?.holding === true;
  }

  /**
   * Resolves when the bot may send its own turn to `sessionKey`. A take-back armed again meanwhile (another
   * crash) releases the old one: its turns then wait for the new one.
   */
  async held(sessionKey: string): Promise<void> {
    for (let armed = this.#armed.get(sessionKey); armed?.holding; armed = this.#armed.get(sessionKey)) {
      await armed.settled?.promise;
    }
  }

  /** No re-run is coming for `sessionKey` (OpenClaw marked none): the bot's turns need not wait. */
  noReRun(sessionKey: string): void {
    this.#settle(this.#armed.get(sessionKey));
  }

  #settle(armed: Armed | undefined): void {
    if (!armed?.holding) return;
    armed.holding = false;
    armed.settled?.resolve();
  }

  /**
   * Under a take-back, aborts a re-run `chat.history` already lists (`activeRunIds` not the bot's): one OpenClaw
   * admitted before the bot was back (`admitted`), or one it is about to admit.
   */
  takeBackRunning(sessionKey: string, activeRunIds: readonly string[], admitted: boolean): void {
    const armed = this.#armed.get(sessionKey);
    if (!armed?.takeBack) return;
    const foreign = activeRunIds.filter(armed.targets);
    if (foreign.length > 0) this.#observe(sessionKey, armed, foreign, true, admitted);
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
      else if (armed.reaborted && !armed.takeBack) this.#armed.delete(event.sessionKey);
      else this.#ended(armed);
      return;
    }
    const { activeRunIds, hasActiveRun } = event.session;
    // An admission or a start is news even when no `aborted` came in between (OpenClaw may send none
    // for a run it had not started when Stop was pressed).
    const starts = event.reason === "send" || event.reason === "agent.run.started";
    if (activeRunIds !== undefined) this.#observe(event.sessionKey, armed, activeRunIds.filter(armed.targets), starts);
    else if (hasActiveRun === false) this.#ended(armed);
    // "agent.run.started" names no run ids; only a known continuation id can be aborted on its own.
    else if (hasActiveRun && armed.runId !== undefined) this.#observe(event.sessionKey, armed, [armed.runId], starts);
  }

  /** Runs of the continuation seen active now (none: it stopped); one that starts (again) is aborted. */
  #observe(sessionKey: string, armed: Armed, running: string[], starts = false, admitted = true): void {
    if (running.length > 0 && (!armed.running || starts)) {
      // A take-back aborts one run, the re-run OpenClaw admitted first: any other is a message queued behind it.
      const aborted = armed.takeBack && armed.runId === undefined ? running.slice(0, 1) : running;
      for (const runId of aborted) this.#abort(sessionKey, armed, runId);
      if (admitted) armed.tookBack = true;
    }
    if (running.length > 0) armed.running = true;
    else this.#ended(armed);
  }

  /** The target is not running (any more); a take-back whose abort took lets the bot's turns go. */
  #ended(armed: Armed): void {
    armed.running = false;
    if (armed.tookBack) this.#settle(armed);
  }

  #abort(sessionKey: string, armed: Armed, runId: string): void {
    armed.reaborted = true;
    // A take-back locks onto the re-run: a message the person sends meanwhile may be answered under
    // another id OpenClaw picks (it queues behind the re-run), and that one must run.
    if (armed.takeBack && armed.runId === undefined) {
      armed.runId = runId;
      armed.targets = (id) => id === runId;
    }
    const why = armed.takeBack ? "holding back OpenClaw's re-run (confirm)" : "stopping OpenClaw's continuation again";
    this.#logger.info(why, { sessionKey, runId });
    this.#gateway.chatAbort({ sessionKey, runId }).catch((error: unknown) => {
      this.#logger.warn("could not abort OpenClaw's continuation", { sessionKey, runId, error });
    });
  }
}
