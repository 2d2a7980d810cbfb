import type { JournalEntry } from "../model.ts";
import type { ProgressLine } from "./progress.ts";
import type { ReplyStream } from "./reply-stream.ts";

/** How many ended run ids are remembered (a few per thread in flight is plenty). */
const ENDED_KEPT = 64;

/** A turn the relay is following until its answer is delivered. */
export interface Watch {
  entry: JournalEntry;
  stream: ReplyStream;
  /** The turn's one progress line (tool calls so far). */
  progress: ProgressLine;
  /** Runs whose events belong to this turn: ours, or one OpenClaw started (recovery, queue). */
  runIds: Set<string>;
  /** Follow any run of the session (the answer comes under a run id we never issued). */
  followSession: boolean;
  /** The reply has files to show after its text. */
  expectsMedia?: boolean | undefined;
  /** A /steer interrupted it: if it ends aborted, its partial answer is marked redirected, not stopped. */
  steered?: boolean | undefined;
  settle: () => void;
}

/** The turns being followed, found by turn, run or session. */
export class Watches {
  readonly #byTurn = new Map<string, Watch>();
  /** Runs of turns that ended lately: their late deltas must not be adopted by another turn (see isEnded). */
  readonly #ended: string[] = [];
  /** Waiting for a thread to have none of the bot's own turns in flight (see sentIdle). */
  readonly #waiters: { slug: string; except: string; resolve: () => void }[] = [];

  /** Starts following a turn. */
  add(watch: Watch): void {
    this.#byTurn.set(watch.entry.turnId, watch);
  }

  /** The watch of a turn. */
  get(turnId: string): Watch | undefined {
    return this.#byTurn.get(turnId);
  }

  /** True while the turn is followed. */
  has(turnId: string): boolean {
    return this.#byTurn.has(turnId);
  }

  /** Stops following a turn. */
  delete(turnId: string): void {
    const watch = this.#byTurn.get(turnId);
    if (watch) this.#ended.push(...watch.runIds);
    this.#ended.splice(0, Math.max(0, this.#ended.length - ENDED_KEPT));
    this.#byTurn.delete(turnId);
    this.#wake();
  }

  /**
   * True for a run of a turn that ended here lately. A stopped run can still stream a delta or two
   * before OpenClaw's abort lands; shown under the next turn, that text would arrive after /stop.
   */
  isEnded(runId: string): boolean {
    return this.#ended.includes(runId);
  }

  /** Stops following every turn. */
  clear(): void {
    this.#byTurn.clear();
    this.#wake();
  }

  /**
   * Resolves once no turn of thread `slug` that the bot sent itself (other than `except`) is followed.
   * OpenClaw's own continuations (followed by session) do not count: OpenClaw queues a turn behind them.
   */
  sentIdle(slug: string, except: string): Promise<void> {
    if (!this.#sentBusy(slug, except)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ slug, except, resolve }));
  }

  #sentBusy(slug: string, except: string): boolean {
    return this.all().some((w) => w.entry.slug === slug && w.entry.turnId !== except && !w.followSession);
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) {
      if (this.#sentBusy(waiter.slug, waiter.except)) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  /** Every followed turn. */
  all(): Watch[] {
    return [...this.#byTurn.values()];
  }

  /** The turn a run belongs to: the turn whose id it is, or one that adopted it. */
  forRun(runId: string): Watch | undefined {
    return this.#byTurn.get(runId) ?? this.all().find((w) => w.runIds.has(runId));
  }

  /** Turns following any run of a session, oldest first. */
  followers(sessionKey: string): Watch[] {
    return this.all()
      .filter((w) => w.followSession && w.entry.sessionKey === sessionKey)
      .sort((a, b) => a.entry.seq - b.entry.seq);
  }

  /** The oldest followed turn of a thread (the one streaming now: a thread's turns run one at a time). */
  runningOf(slug: string): Watch | undefined {
    return this.all()
      .filter((w) => w.entry.slug === slug)
      .sort((a, b) => a.entry.seq - b.entry.seq)[0];
  }

  /** The followed turn whose answer shows as message `messageId` in `conversation`. */
  showing(conversation: string, messageId: string): Watch | undefined {
    return this.all().find((w) => w.entry.conversation === conversation && w.stream.shows(messageId));
  }

  /** True while a turn of this thread is followed. */
  hasSlug(slug: string): boolean {
    return this.all().some((w) => w.entry.slug === slug);
  }

  /** Conversations with a turn in flight. */
  conversations(): string[] {
    return [...new Set(this.all().map((w) => w.entry.conversation))];
  }
}
