import type { ChannelPort, Clock, Logger } from "../ports.ts";
import { truncate } from "../text/truncate.ts";
import { texts } from "../texts.ts";

/** The fastest a progress line is edited: about once a second, slower where the platform asks. */
const MIN_INTERVAL_MS = 1_000;
/** While one tool runs long, the elapsed time is still brought up to date this often. */
const HEARTBEAT_MS = 10_000;
const ARG_UNITS = 60;

/** One tool call as the progress line names it. */
export interface ToolStep {
  name: string;
  args?: unknown;
}

/**
 * The chat's progress bar for one turn: one status line (current tool and a short form of its
 * argument, the count of tool calls so far, elapsed time), posted at the first tool call, edited in
 * place at most about once a second, and folded into a one-line summary when the turn ends. A turn
 * without tool calls shows none. Never more than one message per turn.
 */
export class ProgressLine {
  readonly #channel: ChannelPort;
  readonly #conversation: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #startedAt: number;
  readonly #names: string[] = [];
  #current: ToolStep | undefined;
  #messageId: Promise<string> | undefined;
  #shown = "";
  #lastAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #chain: Promise<void> = Promise.resolve();
  #done = false;

  readonly #onPosted: ((messageId: string) => void) | undefined;

  constructor(options: {
    channel: ChannelPort;
    conversation: string;
    clock: Clock;
    logger: Logger;
    /** The line an earlier run of the bot posted for this turn, with the steps it had shown. */
    existing?: { messageId: string; steps: readonly string[]; startedAt: number } | undefined;
    /** Told the message id once the line is posted (the turn's journal entry keeps it). */
    onPosted?: ((messageId: string) => void) | undefined;
  }) {
    this.#channel = options.channel;
    this.#conversation = options.conversation;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#onPosted = options.onPosted;
    this.#startedAt = options.existing?.startedAt ?? options.clock.now();
    if (options.existing) {
      this.#messageId = Promise.resolve(options.existing.messageId);
      this.#names.push(...options.existing.steps);
    }
  }

  /** Number of tool calls seen so far. */
  get calls(): number {
    return this.#names.length;
  }

  /** A tool call started: it becomes the current step. */
  step(call: ToolStep): void {
    if (this.#done) return;
    this.#names.push(call.name);
    this.#current = call;
    this.#heartbeat ??= setInterval(() => this.#schedule(), HEARTBEAT_MS);
    this.#heartbeat.unref?.();
    this.#schedule();
  }

  /** The turn ended: the line becomes its summary (nothing is posted for a turn without tool calls). */
  async finish(outcome: "done" | "stopped" | "interrupted" | "failed" = "done"): Promise<void> {
    if (this.#done) return;
    this.#stopTimers();
    this.#done = true;
    if (this.#names.length === 0) return;
    await this.#show(texts.progressSummary(this.#names, this.#elapsed(), outcome));
  }

  /** Stops timers and edits without showing anything more. */
  cancel(): void {
    this.#done = true;
    this.#stopTimers();
  }

  #schedule(): void {
    if (this.#done || this.#timer) return;
    const interval = Math.max(MIN_INTERVAL_MS, this.#channel.minEditIntervalMs);
    const wait = Math.max(0, this.#lastAt + interval - this.#clock.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#done) void this.#show(this.#line());
    }, wait);
    this.#timer.unref?.();
  }

  #line(): string {
    const step = this.#current;
    const what = step ? `${step.name}${shortArgs(step.args)}` : "";
    return texts.progressLine(what, this.#names.length, this.#elapsed());
  }

  #elapsed(): number {
    return Math.max(0, this.#clock.now() - this.#startedAt);
  }

  /** Posts the line once, then edits it; calls are chained so a slow send is never overtaken. */
  #show(text: string): Promise<void> {
    this.#chain = this.#chain
      .then(async () => {
        this.#lastAt = this.#clock.now();
        if (text === this.#shown) return;
        this.#shown = text;
        const message = { text, format: "plain" as const };
        if (!this.#messageId) {
          this.#messageId = this.#channel.send(this.#conversation, message);
          this.#onPosted?.(await this.#messageId);
          return;
        }
        const id = await this.#messageId;
        if (id !== undefined) await this.#channel.edit(this.#conversation, id, message);
      })
      .catch((error: unknown) => {
        this.#logger.warn("progress line: platform call failed", { conversation: this.#conversation, error });
      });
    return this.#chain;
  }

  #stopTimers(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#timer = undefined;
    this.#heartbeat = undefined;
  }
}

/** ` ls -la`: the first string argument (a command, a path, a query), shortened; else nothing. */
function shortArgs(args: unknown): string {
  if (typeof args === "string") return ` ${truncate(oneLine(args), ARG_UNITS, "…")}`;
  if (typeof args !== "object" || args === null) return "";
  const first = Object.values(args).find((v) => typeof v === "string" && v.trim() !== "");
  return typeof first === "string" ? ` ${truncate(oneLine(first), ARG_UNITS, "…")}` : "";
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
