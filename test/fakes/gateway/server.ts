import type { Server } from "node:http";
import { WebSocket, type WebSocketServer } from "ws";
import { approvalMethods, FakeApprovalRegistry } from "./approvals.ts";
import { chatMethods } from "./chat-methods.ts";
import { admit, helloOk, type Refusal, startingUp } from "./handshake.ts";
import { identityMethods } from "./identity-methods.ts";
import { scanInterrupted, tombstone } from "./lifecycle.ts";
import { FakeMediaRoute } from "./media.ts";
import { FakeModel } from "./model.ts";
import { modelUsageMethods } from "./model-usage-methods.ts";
import { canonicalKey, FakeRpcError, invalid, paramsOf, sleep, uuid } from "./protocol.ts";
import { recapExportMethods } from "./recap-export-methods.ts";
import { Recorder } from "./recorder.ts";
import { runControlMethods } from "./run-control-methods.ts";
import { RunEngine } from "./runs.ts";
import { type MethodHandler, sessionMethods } from "./session-methods.ts";
import { projectRow, SessionStore, type TranscriptRow } from "./store.ts";
import { closeAll, type FaultSpec, Faults, listen } from "./support.ts";
import type { CrashOptions, FakeGatewayOptions, RecoveryOption, RestartOptions } from "./types.ts";

interface Conn {
  ws: WebSocket;
  id: string;
  authed: boolean;
  caps: Set<string>;
  scopes: string[];
  seq: number;
  /** Set by sessions.subscribe: only subscribers get sessions.changed, as on the real gateway. */
  subscribed: boolean;
}

interface Boot {
  id: string;
  wss: WebSocketServer;
  http: Server;
  engine: RunEngine;
  conns: Set<Conn>;
  tick: NodeJS.Timeout;
  startedAt: number;
  availableAt: number;
}

const METHODS: Record<string, MethodHandler> = {
  ...sessionMethods,
  ...chatMethods,
  ...approvalMethods,
  ...runControlMethods,
  ...modelUsageMethods,
  ...recapExportMethods,
  ...identityMethods,
};

/** OpenClaw asks a client for approvals only when it is an admin with an approvals capability. */
function isApprover(conn: Conn): boolean {
  return (
    conn.authed &&
    conn.scopes.includes("operator.admin") &&
    (conn.caps.has("exec-approvals") || conn.caps.has("approvals"))
  );
}

/** An in-process OpenClaw 2026.9.6 gateway on 127.0.0.1 (see test/fakes/fake-gateway.ts for the guide). */
export class FakeOpenClawGateway extends Recorder {
  /** The token connect must carry. */
  readonly token: string;
  /** The managed media route: files the model's replies send (durable across restarts). */
  readonly media: FakeMediaRoute;
  /** Exec approvals (durable across restarts, like OpenClaw's registry). */
  readonly approvals = new FakeApprovalRegistry();
  /** The deterministic model; script it per test. */
  readonly model = new FakeModel();
  /** Sessions and transcripts (durable across restarts and crashes). */
  readonly store = new SessionStore();
  /** bootId of every boot, first to last. */
  readonly bootIds: string[] = [];
  readonly #options: Required<Omit<FakeGatewayOptions, "token" | "port">>;
  readonly #faults = new Faults();
  #port = 0;
  #boot: Boot | undefined;
  #silent = false;
  #stopped = false;

  private constructor(options: FakeGatewayOptions) {
    super();
    this.token = options.token ?? "test-token";
    this.media = new FakeMediaRoute(this.token);
    this.#port = options.port ?? 0;
    this.#options = {
      tickIntervalMs: options.tickIntervalMs ?? 30_000,
      defaultAgentId: options.defaultAgentId ?? "main",
      startupUnavailableMs: options.startupUnavailableMs ?? 0,
      recovery: options.recovery ?? false,
      drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
    };
  }

  /** Starts a fake on 127.0.0.1 on a free port. */
  static async start(options: FakeGatewayOptions = {}): Promise<FakeOpenClawGateway> {
    const gateway = new FakeOpenClawGateway(options);
    await gateway.#up(false);
    return gateway;
  }

  /** `ws://127.0.0.1:<port>`; stays the same across restarts. */
  get url(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  /** The listening port. */
  get port(): number {
    return this.#port;
  }

  /** bootId of the running boot (undefined while down). */
  get bootId(): string | undefined {
    return this.#boot?.id;
  }

  /** Number of connections that completed the handshake in this boot. */
  get connections(): number {
    return [...(this.#boot?.conns ?? [])].filter((conn) => conn.authed).length;
  }

  /** Resolves once `count` connections completed the handshake in the current boot. */
  waitForConnections(count = 1, timeoutMs = 5000): Promise<true> {
    return this.watchers.until(() => (this.connections >= count ? true : undefined), timeoutMs, "connections");
  }

  /** A session's row (as sessions.list shows it) and transcript; keys are canonicalized. */
  session(key: string): { row: Record<string, unknown>; transcript: TranscriptRow[] } | undefined {
    const record = this.store.get(canonicalKey(key, this.#options.defaultAgentId));
    if (!record) return undefined;
    const active = this.#boot?.engine.activeRunIds(record.key) ?? [];
    return { row: projectRow(record, active), transcript: structuredClone(record.transcript) };
  }

  /** Makes the next `times` calls of `method` fail, stall (no reply) or answer late. */
  fault(method: string, spec: FaultSpec, times = 1): void {
    this.#faults.add(method, spec, times);
  }

  /** While on, the fake sends nothing at all (no ticks, events or replies): a hung gateway. */
  silence(on = true): void {
    this.#silent = on;
  }

  /** Sends any event to every connection (e.g. a hand-made `chat` payload). */
  broadcast(event: string, payload: Record<string, unknown>): void {
    const boot = this.#boot;
    if (boot) this.#broadcast(boot, event, payload);
  }

  /** Drops every client socket (terminate → 1006) without a restart: same bootId afterwards. */
  async dropConnections(): Promise<void> {
    if (this.#boot)
      await closeAll(
        [...this.#boot.conns].map((conn) => conn.ws),
        "terminate",
      );
  }

  /** Changes the startup window of later boots. */
  setStartupUnavailable(ms: number): void {
    this.#options.startupUnavailableMs = ms;
  }

  /** Graceful restart: drain (or abort) turns, `shutdown`, close 1012, come back with a new bootId. */
  async restart(options: RestartOptions = {}): Promise<void> {
    if (options.graceful === false) return this.crash({ downMs: options.downMs });
    const boot = this.#requireBoot();
    if (options.drain === false) await boot.engine.abortForRestart();
    else {
      if (!options.keepAdmission) boot.engine.closeAdmission();
      const budget = options.drainTimeoutMs ?? this.#options.drainTimeoutMs;
      const drained = await this.watchers.within(boot.engine.settled(), budget);
      if (!drained) await boot.engine.abortForRestart();
    }
    const payload = options.stop
      ? { reason: options.reason ?? "gateway stopping" }
      : { reason: options.reason ?? "gateway restarting", restartExpectedMs: options.restartExpectedMs ?? 1500 };
    this.#broadcast(boot, "shutdown", payload);
    await this.#down(boot, { code: 1012, reason: "service restart" });
    if (options.downMs) await sleep(options.downMs);
    await this.#up(true);
  }

  /** Crash: sockets drop (1006); in-memory dedupe and runs are lost; interrupted sessions are marked. */
  async crash(options: CrashOptions = {}): Promise<void> {
    const boot = this.#requireBoot();
    boot.engine.kill();
    this.approvals.crash();
    await this.#down(boot, "terminate");
    if (options.downMs) await sleep(options.downMs);
    await this.#up(true, options.recovery);
  }

  /** Marks a session restart-tombstoned, as after three failed recovery attempts. */
  tombstone(key: string): void {
    const record = this.store.get(canonicalKey(key, this.#options.defaultAgentId));
    if (!record) throw new Error(`fake gateway: no session ${key}`);
    tombstone(this.store, record, this.#boot?.engine);
  }

  /** Stops for good: sockets terminated, port closed. Safe to call twice. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.model.releaseAll();
    const boot = this.#boot;
    if (boot) await this.#down(boot, "terminate");
  }

  #requireBoot(): Boot {
    if (!this.#boot) throw new Error("fake gateway is down");
    return this.#boot;
  }

  async #up(rebooted: boolean, recovery: RecoveryOption = this.#options.recovery): Promise<void> {
    if (this.#stopped) return;
    const { wss, http, port } = await listen(this.#port, (request, response) => {
      if (!this.media.handle(request, response)) response.writeHead(404).end();
    });
    this.#port = port;
    const now = Date.now();
    const boot: Boot = {
      id: uuid(),
      wss,
      http,
      conns: new Set(),
      startedAt: now,
      availableAt: now + this.#options.startupUnavailableMs,
      tick: setInterval(() => this.#tick(boot), this.#options.tickIntervalMs),
      engine: new RunEngine(this.store, this.model, {
        broadcast: (e, p, o) => this.#broadcast(boot, e, p, o),
        approvers: () => [...boot.conns].filter(isApprover).length,
        approvals: this.approvals,
        media: this.media,
      }),
    };
    boot.tick.unref();
    wss.on("connection", (ws) => this.#accept(boot, ws));
    this.approvals.connect((event, payload) => this.#broadcast(boot, event, payload, { approvals: true }));
    this.#boot = boot;
    this.bootIds.push(boot.id);
    if (rebooted) scanInterrupted(this.store, boot.engine, recovery);
    this.watchers.notify();
  }

  async #down(boot: Boot, how: { code: number; reason: string } | "terminate"): Promise<void> {
    if (this.#boot === boot) this.#boot = undefined;
    boot.engine.kill();
    clearInterval(boot.tick);
    await closeAll(
      [...boot.conns].map((conn) => conn.ws),
      how,
    );
    await new Promise<void>((resolve) => boot.wss.close(() => resolve()));
    boot.http.closeAllConnections();
    await new Promise<void>((resolve) => boot.http.close(() => resolve()));
  }

  #accept(boot: Boot, ws: WebSocket): void {
    const conn: Conn = { ws, id: uuid(), authed: false, caps: new Set(), scopes: [], seq: 0, subscribed: false };
    boot.conns.add(conn);
    ws.on("message", (data) => void this.#onFrame(boot, conn, String(data)));
    ws.on("close", () => boot.conns.delete(conn));
    ws.on("error", () => {});
    this.#event(conn, "connect.challenge", { nonce: uuid(), ts: Date.now() });
  }

  async #onFrame(boot: Boot, conn: Conn, text: string): Promise<void> {
    let frame: Record<string, unknown>;
    try {
      frame = paramsOf(JSON.parse(text));
    } catch {
      return conn.ws.close(1008, "invalid frame");
    }
    const { id, method, params } = frame;
    if (frame.type !== "req" || typeof id !== "string" || typeof method !== "string") {
      return conn.ws.close(1008, "invalid frame");
    }
    this.requests.push({ method, params, bootId: boot.id, connId: conn.id, at: Date.now() });
    this.watchers.notify();
    if (!conn.authed) return this.#connect(boot, conn, id, method, params);
    const fault = this.#faults.take(method);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.noReply) return;
    if (fault?.error) return this.#send(conn, { type: "res", id, ok: false, error: fault.error });
    const handler = METHODS[method];
    try {
      if (!handler) throw invalid(`unknown method: ${method}`);
      const ctx = {
        store: this.store,
        engine: boot.engine,
        approvals: this.approvals,
        defaultAgentId: this.#options.defaultAgentId,
        connection: conn,
      };
      const payload = await handler(paramsOf(params), ctx);
      this.#send(conn, { type: "res", id, ok: true, payload });
    } catch (error) {
      const shape = error instanceof FakeRpcError ? error : invalid(`fake gateway bug: ${String(error)}`);
      this.#send(conn, { type: "res", id, ok: false, error: shape.toShape() });
    }
  }

  #connect(boot: Boot, conn: Conn, id: string, method: string, params: unknown): void {
    let outcome = method === "connect" ? admit(params, this.token) : undefined;
    if (method === "connect" && Date.now() < boot.availableAt) outcome = startingUp();
    if (!outcome || "error" in outcome) {
      const refusal: Refusal = outcome ?? {
        error: invalid("first request must be connect"),
        closeCode: 1008,
        closeReason: "connect required",
      };
      this.#send(conn, { type: "res", id, ok: false, error: refusal.error.toShape() });
      conn.ws.close(refusal.closeCode, refusal.closeReason);
      return;
    }
    conn.authed = true;
    conn.caps = outcome.caps;
    conn.scopes = outcome.scopes;
    const tickIntervalMs = this.#options.tickIntervalMs;
    const uptimeMs = Date.now() - boot.startedAt;
    const payload = helloOk({ bootId: boot.id, connId: conn.id, tickIntervalMs, uptimeMs, admission: outcome });
    this.#send(conn, { type: "res", id, ok: true, payload });
    this.watchers.notify();
  }

  #tick(boot: Boot): void {
    for (const conn of boot.conns) if (conn.authed) this.#event(conn, "tick", { ts: Date.now() });
  }

  #broadcast(
    boot: Boot,
    event: string,
    payload: Record<string, unknown>,
    options: { toolEvent?: boolean; approvals?: boolean } = {},
  ) {
    if (this.#boot !== boot) return;
    this.events.push({ event, payload, bootId: boot.id, at: Date.now() });
    for (const conn of boot.conns) {
      if (!conn.authed || (options.toolEvent && !conn.caps.has("tool-events"))) continue;
      if (options.approvals && !isApprover(conn)) continue;
      if (event === "sessions.changed" && !conn.subscribed) continue;
      this.#event(conn, event, payload);
    }
    this.watchers.notify();
  }

  #event(conn: Conn, event: string, payload: Record<string, unknown>): void {
    conn.seq += 1;
    this.#send(conn, { type: "event", event, payload, seq: conn.seq });
  }

  #send(conn: Conn, frame: Record<string, unknown>): void {
    if (this.#silent || conn.ws.readyState !== WebSocket.OPEN) return;
    conn.ws.send(JSON.stringify(frame));
  }
}
