import { BotError, ErrorCode } from "../core/errors.ts";
import type { Logger } from "../core/ports.ts";
/** The append side of the log, as the writer uses it (LogAppender on disk). */
export interface AppendLog {
  readonly bytes: number;
  readonly lines: number;
  /** Appends complete lines; resolves once they are on disk. */
  append(text: string, lines: number): Promise<void>;
  /** Empties the log. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** What the writer needs; the snapshot itself is written by the store. */
export interface WriterOptions {
  log: AppendLog;
  /** The log file, for error messages. */
  logPath: string;
  /** Seq of the last change already in memory and on disk. */
  lastSeq: number;
  compactAfterBytes: number;
  compactAfterLines: number;
  /** Writes a snapshot of the in-memory state, labelled with `logSeq`, atomically and durably. */
  snapshot: (logSeq: number) => Promise<void>;
  logger: Logger;
}

interface Pending {
  seq: number;
  line: string;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The one serialized writer. Changes queue up as log lines; whatever queued while the
 * previous append was in flight goes out as the next batch, in one write and one
 * fdatasync (group commit), so a burst of 1,000 changes costs a handful of syncs. When
 * the log passes its threshold the writer compacts: it writes a snapshot of memory,
 * which already holds every queued change, and empties the log.
 */
export class Writer {
  readonly #options: WriterOptions;
  #lastSeq: number;
  #durableSeq: number;
  #pending: Pending[] = [];
  #waiters: Waiter[] = [];
  #running: Promise<void> | undefined;
  #failure: BotError | undefined;
  #appends = 0;
  #compactions = 0;
  /** Log size at which the next compaction is due; pushed out after a failed snapshot. */
  #compactAt: { bytes: number; lines: number };

  constructor(options: WriterOptions) {
    this.#options = options;
    this.#lastSeq = options.lastSeq;
    this.#durableSeq = options.lastSeq;
    this.#compactAt = { bytes: options.compactAfterBytes, lines: options.compactAfterLines };
  }

  /** Counters for tests and benchmarks. */
  get stats() {
    const { log } = this.#options;
    return {
      lastSeq: this.#lastSeq,
      durableSeq: this.#durableSeq,
      appends: this.#appends,
      compactions: this.#compactions,
      logBytes: log.bytes,
      logLines: log.lines,
    };
  }

  /** Throws when no change may be accepted any more: the store is closing or a write failed. */
  assertOpen(closing: boolean): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (closing) throw new BotError(ErrorCode.StoreCorrupt, `The store ${this.#options.logPath} is closed.`);
  }

  /** Queues a patch (already applied in memory) and resolves when it is on disk. */
  enqueue(patchText: string): Promise<void> {
    const seq = ++this.#lastSeq;
    this.#pending.push({ seq, line: `{"seq":${seq},"patch":${patchText}}\n` });
    const done = this.#waitFor(seq);
    this.#kick();
    return done;
  }

  /** Resolves when every change queued so far is on disk. */
  flush(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return this.#waitFor(this.#lastSeq);
  }

  /** Writes a snapshot now (after the writer goes idle) and empties the log. */
  async compactNow(): Promise<void> {
    await this.#idle();
    if (this.#failure !== undefined) throw this.#failure;
    await this.#compact(true);
  }

  /** Flushes, compacts if the log holds anything, and closes the log. */
  async close(): Promise<void> {
    try {
      await this.flush();
      await this.#idle();
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#options.log.lines > 0) await this.#compact(true);
    } finally {
      await this.#options.log.close();
    }
  }

  #waitFor(seq: number): Promise<void> {
    if (seq <= this.#durableSeq) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ seq, resolve, reject }));
  }

  async #idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  #kick(): void {
    if (this.#running !== undefined || this.#failure !== undefined) return;
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      if (this.#pending.length > 0) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    // One microtask, so that the rest of a synchronous burst joins this first batch.
    await Promise.resolve();
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending;
        this.#pending = [];
        await this.#options.log.append(batch.map((pending) => pending.line).join(""), batch.length);
        this.#appends++;
        this.#markDurable(batch[batch.length - 1]?.seq ?? this.#durableSeq);
        const { log } = this.#options;
        if (log.bytes >= this.#compactAt.bytes || log.lines >= this.#compactAt.lines) await this.#compact(false);
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  /**
   * Writes a snapshot and empties the log. A failed snapshot changes nothing (the log
   * still holds every change), so unless `mustSucceed` the writer only logs it and
   * tries again after the log has grown by another threshold.
   */
  async #compact(mustSucceed: boolean): Promise<void> {
    // Memory holds every change up to lastSeq, including ones still queued: the
    // snapshot makes them durable too, so they leave the queue.
    // snapshot() serializes before its first await, so the image holds exactly the
    // changes up to logSeq even though updates keep arriving while it is written.
    const logSeq = this.#lastSeq;
    const { log, logger, compactAfterBytes, compactAfterLines } = this.#options;
    try {
      await this.#options.snapshot(logSeq);
    } catch (error) {
      if (mustSucceed) throw error;
      logger.error("store snapshot failed; the log keeps every change", { error: String(error) });
      this.#compactAt = { bytes: log.bytes + compactAfterBytes, lines: log.lines + compactAfterLines };
      return;
    }
    this.#compactions++;
    this.#compactAt = { bytes: compactAfterBytes, lines: compactAfterLines };
    this.#pending = this.#pending.filter((pending) => pending.seq > logSeq);
    this.#markDurable(logSeq);
    // Only after the snapshot's rename is durable: a crash before this truncate leaves
    // lines the snapshot already holds, which the next load skips by seq.
    await log.clear();
  }

  #markDurable(seq: number): void {
    this.#durableSeq = Math.max(this.#durableSeq, seq);
    let done = 0;
    while (done < this.#waiters.length && (this.#waiters[done]?.seq ?? Infinity) <= this.#durableSeq) done++;
    for (const waiter of this.#waiters.splice(0, done)) waiter.resolve();
  }

  /** A failed write leaves memory ahead of disk: refuse everything after it, so nothing unsaved is acknowledged. */
  #fail(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.#failure = new BotError(
      ErrorCode.StoreCorrupt,
      `Writing the store (${this.#options.logPath}) failed: ${reason}. The store accepts no more changes; ` +
        "restart the bot (changes not yet acknowledged are lost, acknowledged ones are on disk).",
      { cause: error },
    );
    this.#options.logger.error("store write failed", { path: this.#options.logPath, error: reason });
    this.#pending = [];
    for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure);
  }
}
