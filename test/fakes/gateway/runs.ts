import type { ReplyMedia } from "./media.ts";
import type { ToolCall } from "./model.ts";
import { answerText, cumulativeChunks, type FakeModel, type ModelReply, type ModelTurn } from "./model.ts";
import { abortable, sleep } from "./protocol.ts";
import { type EventSink, type NewRun, type Run, recoveryEligible } from "./run.ts";
import { projectRow, type SessionRecord, type SessionStore, textContent } from "./store.ts";

const FAILED = "⚠️ Agent run failed (model: fake/echo-1).";

/** Why a run was aborted: chat.abort (`rpc`), an interrupting send (`aborted`), or a restart. */
type AbortReason = "aborted" | "rpc" | "restart";

/**
 * Runs of one boot: a FIFO queue per session, the in-memory idempotency dedupe,
 * admission, aborts. A crash kills the engine: its runs stop without touching
 * the store again, as a killed process would.
 */
export class RunEngine {
  readonly #store: SessionStore;
  readonly #model: FakeModel;
  readonly #sink: EventSink;
  readonly #queues = new Map<string, Run[]>();
  readonly #dedupe = new Map<string, Run>();
  readonly #idle: (() => void)[] = [];
  #dead = false;
  #admission = true;

  constructor(store: SessionStore, model: FakeModel, sink: EventSink) {
    this.#store = store;
    this.#model = model;
    this.#sink = sink;
  }

  /** False while a graceful restart drains. */
  get admissionOpen(): boolean {
    return this.#admission && !this.#dead;
  }

  /** Stops admitting chat.send (SIGTERM-style drain). */
  closeAdmission(): void {
    this.#admission = false;
  }

  /** The run an idempotency key started in this boot. */
  deduped(key: string): Run | undefined {
    return this.#dedupe.get(key);
  }

  /** Queues a run; it starts after the current tick so the ack goes out first. */
  submit(init: NewRun, dedupeKey?: string): Run {
    const run: Run = { ...init, state: "queued", text: "", seq: 0, controller: new AbortController() };
    if (dedupeKey) this.#dedupe.set(dedupeKey, run);
    const queue = this.#queues.get(run.sessionKey) ?? [];
    queue.push(run);
    if (queue.length === 1) {
      this.#queues.set(run.sessionKey, queue);
      setTimeout(() => void this.#pump(run.sessionKey), 0);
    }
    return run;
  }

  /** Runs queued or running in a session. */
  runs(sessionKey: string): Run[] {
    return (this.#queues.get(sessionKey) ?? []).filter((run) => run.state !== "done");
  }

  /** Ids of the session's runs that are running or queued. */
  activeRunIds(sessionKey: string): string[] {
    return this.runs(sessionKey).map((run) => run.runId);
  }

  /** True while an OpenClaw-initiated recovery run is queued or running in the session. */
  recovering(sessionKey: string): boolean {
    return this.runs(sessionKey).some((run) => run.kind === "recovery" || run.kind === "rollover");
  }

  /**
   * Aborts the session's running run (or run `runId`, queued or running); returns the ids aborted.
   * `rpc`: chat.abort, which on 2026.9.6 keeps the streamed words as an assistant row (see #aborted).
   */
  abort(sessionKey: string, runId?: string, reason: AbortReason = "aborted"): string[] {
    const queue = this.#queues.get(sessionKey) ?? [];
    const live = queue.filter((run) => run.state !== "done");
    const targets = runId ? live.filter((run) => run.runId === runId) : live.slice(0, 1);
    for (const run of targets) {
      if (run === queue[0]) run.controller.abort(reason);
      else {
        queue.splice(queue.indexOf(run), 1);
        this.#aborted(run, reason);
      }
    }
    return targets.map((run) => run.runId);
  }

  /** Aborts every running run for a restart and drops queued ones; resolves when they have settled. */
  async abortForRestart(): Promise<void> {
    for (const [key, queue] of this.#queues) {
      queue.splice(1);
      this.abort(key, undefined, "restart");
    }
    await this.settled();
  }

  /** Resolves when no run is queued or running. */
  settled(): Promise<void> {
    if (this.#queues.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Crash: every run stops where it is; nothing more is written or sent. */
  kill(): void {
    this.#dead = true;
    for (const queue of this.#queues.values()) for (const run of queue) run.controller.abort("crash");
    this.#queues.clear();
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Broadcasts sessions.changed with the row as it is now. */
  changed(record: SessionRecord, reason: string): void {
    if (this.#dead) return;
    const session = projectRow(record, this.activeRunIds(record.key));
    this.#sink.broadcast("sessions.changed", { sessionKey: record.key, reason, ts: Date.now(), session });
  }

  /** Sends the empty `final` OpenClaw gives a message queued behind a recovery run. */
  emptyFinal(runId: string, sessionKey: string): void {
    setTimeout(() => {
      if (!this.#dead) this.#sink.broadcast("chat", { runId, sessionKey, seq: 1, state: "final" });
    }, 0);
  }

  async #pump(sessionKey: string): Promise<void> {
    const queue = this.#queues.get(sessionKey);
    while (queue && queue.length > 0 && !this.#dead) {
      const run = queue[0] as Run;
      await this.#execute(run);
      if (this.#dead) return;
      queue.shift();
    }
    this.#queues.delete(sessionKey);
    if (this.#queues.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #execute(run: Run): Promise<void> {
    const signal = run.controller.signal;
    try {
      if (run.startAfterMs) await sleep(run.startAfterMs, signal);
      const record = this.#store.get(run.sessionKey);
      if (!record || signal.aborted) throw signal.reason ?? "aborted";
      this.#begin(run, record);
      if (run.modelAfterMs) await sleep(run.modelAfterMs, signal);
      if (run.kind === "replayed") return this.#fail(run, record, FAILED);
      const turn: ModelTurn = {
        sessionKey: run.sessionKey,
        runId: run.runId,
        message: run.message,
        kind: run.kind,
        interrupted: run.interrupted,
      };
      await this.#play(run, record, this.#model.plan(turn), turn);
    } catch (error) {
      if (this.#dead) return;
      if (signal.aborted && abortReason(signal.reason) !== "restart" && this.#readmits(run)) return this.#execute(run);
      if (signal.aborted) return this.#aborted(run, abortReason(signal.reason));
      // A bug in the fake itself: fail the run visibly instead of leaving the queue stuck.
      console.error("fake gateway run failed", error);
      const record = this.#store.get(run.sessionKey);
      if (record) this.#fail(run, record, `fake gateway bug: ${String(error)}`);
    }
  }

  #begin(run: Run, record: SessionRecord): void {
    run.state = "running";
    run.startedAt = Date.now();
    if (run.kind !== "replayed") {
      const meta = { idempotencyKey: run.userKey, senderIsOwner: run.senderIsOwner };
      this.#store.append(record, { role: "user", content: run.message }, meta);
    }
    record.status = "running";
    // Admitting a recovery run clears the mark the boot's scan set (seen on 2026.9.6).
    if (run.kind === "recovery") record.abortedLastRun = false;
    this.changed(record, "send");
    this.#agent(run, "lifecycle", { phase: "start", startedAt: run.startedAt });
  }

  async #play(run: Run, record: SessionRecord, reply: ModelReply, turn: ModelTurn): Promise<void> {
    const signal = run.controller.signal;
    if (reply.delayMs) await sleep(reply.delayMs, signal);
    for (const [index, tool] of (reply.tools ?? []).entries()) {
      const toolCallId = `call-${run.runId.slice(0, 8)}-${index + 1}`;
      this.#agent(run, "tool", { phase: "start", name: tool.name, toolCallId, args: tool.args ?? {} }, true);
      const denied = tool.approval ? await this.#approve(run, tool.approval, signal) : undefined;
      if (!denied) await sleep(tool.durationMs ?? 1, signal);
      const result = denied ?? tool.result ?? { ok: true };
      this.#agent(run, "tool", { phase: "result", name: tool.name, toolCallId, result, isError: !!denied }, true);
      turn.toolResults = [...(turn.toolResults ?? []), result];
    }
    if (reply.error !== undefined && reply.text === undefined) return this.#fail(run, record, reply.error);
    const chunks = cumulativeChunks(answerText(reply, turn), reply.chunks ?? 3);
    for (const [index, chunk] of chunks.entries()) {
      if (index > 0) await sleep(reply.deltaIntervalMs ?? 1, signal);
      this.#delta(run, chunk);
      if (index === 0 && reply.hold) {
        await abortable(reply.hold.wait(turn), signal).catch((error: unknown) => {
          reply.hold?.abandon();
          throw error;
        });
        if (reply.hold.text !== undefined) {
          this.#delta(run, reply.hold.text);
          break;
        }
      }
    }
    if (reply.error !== undefined) return this.#fail(run, record, reply.error);
    this.#final(run, record, reply.media ?? []);
  }

  #delta(run: Run, cumulative: string): void {
    const replace = !cumulative.startsWith(run.text);
    const delta = replace ? cumulative : cumulative.slice(run.text.length);
    run.text = cumulative;
    this.#agent(run, "assistant", { text: cumulative, delta, ...(replace ? { replace: true } : {}) });
    this.#chat(run, {
      state: "delta",
      deltaText: delta,
      ...(replace ? { replace: true } : {}),
      message: assistant(run.text),
    });
  }

  #final(run: Run, record: SessionRecord, media: readonly ReplyMedia[]): void {
    // The row keeps its MEDIA: lines until OpenClaw turns them into file parts, a moment after the end.
    const lines = media.map((m) => `MEDIA:./${m.fileName}`);
    const row = this.#store.append(
      record,
      { role: "assistant", content: textContent([run.text, ...lines].join("\n")), stopReason: "stop" },
      { runId: run.runId },
    );
    if (media.length > 0) {
      this.#agent(run, "assistant", { text: run.text, delta: "", mediaUrls: lines.map((l) => l.slice(6)) });
      const parts = media.map((m) => this.#sink.media.add(run.sessionKey, m));
      setTimeout(() => Object.assign(row, { content: [...textContent(run.text), ...parts] }), 150).unref();
    }
    this.#settle(run, record, "final", "done");
    this.#agent(run, "lifecycle", { phase: "end", stopReason: "stop", executionSettled: true });
    this.#chat(run, { state: "final", stopReason: "stop", message: assistant(run.text) });
    this.changed(record, "agent.input.settled");
  }

  #fail(run: Run, record: SessionRecord, errorMessage: string): void {
    const row = { role: "assistant" as const, content: textContent("The agent run failed before producing a reply.") };
    this.#store.append(
      record,
      { ...row, stopReason: "error" },
      { runId: run.runId, idempotencyKey: `${run.runId}:terminal-error` },
    );
    this.#settle(run, record, "error", "failed");
    this.#agent(run, "lifecycle", { phase: "error", error: errorMessage });
    this.#chat(run, { state: "error", errorMessage, errorKind: "unknown" });
    this.changed(record, "agent.input.settled");
  }

  /**
   * OpenClaw's scheduler admits a recovery run aborted before its admission again, once (seen on 2026.9.6):
   * the abort is answered `aborted`, and the run stays first in its session's queue.
   */
  #readmits(run: Run): boolean {
    if (run.kind !== "recovery" || run.state !== "queued" || run.readmitAfterMs === undefined) return false;
    this.#chat(run, { state: "aborted", stopReason: "rpc" });
    run.startAfterMs = run.readmitAfterMs;
    run.readmitAfterMs = undefined;
    run.controller = new AbortController();
    return true;
  }

  #aborted(run: Run, reason: AbortReason): void {
    const record = this.#store.get(run.sessionKey);
    const started = run.state === "running";
    run.state = "done";
    run.outcome = "aborted";
    if (!record || !started) {
      if (reason !== "restart") this.#chat(run, { state: "aborted", stopReason: reason });
      return;
    }
    // A restart abort leaves the row "running" with abortedLastRun: the next boot's scan recovers it.
    if (reason === "restart") {
      record.abortedLastRun = recoveryEligible(record);
    } else {
      record.status = "killed";
      record.lastRunId = run.runId;
    }
    // Seen live (test/e2e/thread-controls-run.e2e.test.ts): chat.abort keeps what streamed as an assistant
    // row keyed `<key>:assistant` and leaves abortedLastRun set; an interrupt keeps no row.
    if (reason === "rpc") {
      record.abortedLastRun = true;
      const idempotencyKey = run.userKey.replace(/:user$/, ":assistant");
      const row = { role: "assistant" as const, content: textContent(run.text), stopReason: "stop" };
      if (run.text) this.#store.append(record, row, { runId: run.runId, idempotencyKey });
    }
    this.#agent(run, "lifecycle", { phase: "end", stopReason: reason, aborted: true });
    this.#chat(run, { state: "aborted", stopReason: reason, ...(run.text ? { message: assistant(run.text) } : {}) });
    this.changed(record, "abort");
  }

  #settle(run: Run, record: SessionRecord, outcome: "final" | "error", status: "done" | "failed"): void {
    run.state = "done";
    run.outcome = outcome;
    record.status = status;
    record.lastRunId = run.runId;
    record.abortedLastRun = false;
    record.updatedAt = Date.now();
  }

  /** Asks approval clients; undefined when approved, else the tool result the model gets (OpenClaw's texts). */
  async #approve(run: Run, ask: NonNullable<ToolCall["approval"]>, signal: AbortSignal) {
    if (this.#sink.approvers() === 0) {
      return { status: "error", error: "exec denied: Headless runs cannot wait for interactive exec approval." };
    }
    const decision = await this.#sink.approvals.ask({ ...ask, sessionKey: run.sessionKey, runId: run.runId }, signal);
    if (decision === "allow-once" || decision === "allow-always") return undefined;
    return {
      status: "error",
      error: `Exec denied (gateway id=${run.runId}, ${decision ? "user-denied" : "approval-timeout"})`,
    };
  }

  #agent(run: Run, stream: string, data: Record<string, unknown>, toolEvent = false): void {
    if (this.#dead) return;
    run.seq += 1;
    const payload = { runId: run.runId, seq: run.seq, stream, ts: Date.now(), data, sessionKey: run.sessionKey };
    this.#sink.broadcast("agent", { ...payload, agentId: run.sessionKey.split(":")[1] }, { toolEvent });
  }

  #chat(run: Run, fields: Record<string, unknown>): void {
    if (this.#dead) return;
    this.#sink.broadcast("chat", { runId: run.runId, sessionKey: run.sessionKey, seq: run.seq, ...fields });
  }
}

function abortReason(reason: unknown): AbortReason {
  return reason === "restart" || reason === "rpc" ? reason : "aborted";
}

function assistant(text: string): Record<string, unknown> {
  return { role: "assistant", content: textContent(text) };
}
