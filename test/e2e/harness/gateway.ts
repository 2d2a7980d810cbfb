/**
 * Lifecycle of one real OpenClaw gateway for tests, the demo and benchmarks: isolated temp root, fixed token,
 * free port, fake model, readiness with a 60 s budget, stop / crash / in-process restart / restart on the
 * same state, and a cleanup that proves nothing is left (process, port, files, OpenClaw's /tmp entries).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ensureOpenclawInstalled } from "../../../scripts/openclaw-install.ts";
import { GatewayRequestError, type HelloOk } from "./frames.ts";
import {
  type GatewayPaths,
  gatewayConfig,
  gatewayEnv,
  gatewayPaths,
  removeTmpLeftovers,
  stateLockFiles,
  writeConfig,
} from "./gateway-files.ts";
import { descendantsOf, freePort, portIsOpen, processesMentioning, signal, sleep, waitGone } from "./processes.ts";
import { RawClient, type RawClientOptions } from "./raw-client.ts";

/** About 1 GiB each: a third would starve this 2-core machine and the people sharing it. */
export const MAX_GATEWAYS = 2;
let running = 0;

/** How to create a gateway. */
export interface GatewayOptions {
  /** The fake model's `baseUrl` (`FakeModel.baseUrl`). */
  modelBaseUrl: string;
  /** Folder the gateway's temp root is created in; default the OS temp dir. */
  parentDir?: string;
  /** Shows in the temp root's name and in messages. */
  name?: string;
  /** Readiness budget per start; default 60 s. */
  readyTimeoutMs?: number;
  /** A JSONL file that gets `{name, root, port, pid}` per start, so a suite teardown can check for leaks. */
  ledgerFile?: string;
  /** Last chance to change the config before it is written. */
  configure?: (config: Record<string, unknown>) => void;
}

/** Where a finished process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One gateway; `startGateway()` creates and starts it. */
export class Gateway {
  readonly name: string;
  readonly paths: GatewayPaths;
  readonly port: number;
  readonly token = `e2e-${randomUUID()}`;
  /** The latest `hello-ok` seen by the readiness probe. */
  hello: HelloOk | undefined;
  readonly #opts: GatewayOptions;
  readonly #clients = new Set<RawClient>();
  readonly #helpers = new Set<number>();
  #child: ChildProcess | undefined;
  #exited: Promise<ExitInfo> | undefined;
  #exitInfo: ExitInfo | undefined;
  #node = "";
  #entry = "";

  constructor(opts: GatewayOptions, root: string, port: number) {
    this.#opts = opts;
    this.name = opts.name ?? "gateway";
    this.paths = gatewayPaths(root);
    this.port = port;
    const config = gatewayConfig(this.paths, {
      port,
      token: this.token,
      modelBaseUrl: opts.modelBaseUrl,
      modelTimeoutSeconds: 120,
    });
    opts.configure?.(config);
    writeConfig(this.paths, config);
  }

  /** `ws://127.0.0.1:<port>`. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** The gateway's pid while it runs (stable across SIGUSR2). */
  get pid(): number | undefined {
    return this.#child && !this.#exitInfo ? this.#child.pid : undefined;
  }

  /** How the last process ended, once it has. */
  get exitInfo(): ExitInfo | undefined {
    return this.#exitInfo;
  }

  /** Spawns the gateway (again, on the same state dir and port) and waits until it answers `hello-ok`. */
  async start(): Promise<HelloOk> {
    if (this.pid) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    if (running >= MAX_GATEWAYS) throw new Error(`refusing to start a third gateway (at most ${MAX_GATEWAYS} at once)`);
    if (!this.#node) ({ node: this.#node, entry: this.#entry } = await ensureOpenclawInstalled());
    const args = ["gateway", "run", "--port", String(this.port), "--bind", "loopback", "--auth", "token"];
    const out = openSync(this.paths.consoleLog, "a");
    // detached: its own process group, so crash() reaches the helpers it forks.
    const child = spawn(this.#node, [this.#entry, ...args, "--token", this.token], {
      cwd: this.paths.root,
      env: gatewayEnv(this.paths, dirname(this.#node)),
      detached: true,
      stdio: ["ignore", out, out],
    });
    closeSync(out);
    running++;
    if (this.#opts.ledgerFile) {
      const entry = { name: this.name, root: this.paths.root, port: this.port, pid: child.pid };
      appendFileSync(this.#opts.ledgerFile, `${JSON.stringify(entry)}\n`);
    }
    this.#child = child;
    this.#exitInfo = undefined;
    this.#exited = new Promise((resolve) => {
      child.once("exit", (code, sig) => {
        running--;
        this.#exitInfo = { code, signal: sig };
        resolve(this.#exitInfo);
      });
    });
    return this.#waitReady();
  }

  /** Opens a raw operator client; cleanup() closes the ones still open. */
  async connect(opts: Partial<RawClientOptions> = {}): Promise<RawClient> {
    const client = await RawClient.connect({ url: this.url, token: this.token, ...opts });
    this.#clients.add(client);
    void client.closed.then(() => this.#clients.delete(client));
    return client;
  }

  /** SIGTERM and wait for the exit; only after `graceMs` (default 60 s) SIGKILL, with a warning. */
  async stop(graceMs = 60_000): Promise<ExitInfo> {
    const child = this.#child;
    if (!child?.pid || this.#exitInfo) return this.#exitInfo ?? { code: null, signal: null };
    this.#noteHelpers();
    signal(child.pid, "SIGTERM");
    if (!(await this.#waitExit(graceMs))) {
      console.warn(`${this.name}: still running ${graceMs} ms after SIGTERM; sending SIGKILL (now a crash)`);
      signal(-child.pid, "SIGKILL");
      await this.#waitExit(10_000);
    }
    await this.#reapHelpers();
    return this.#exitInfo ?? { code: null, signal: null };
  }

  /** SIGKILL to the whole process group: a crash, no `shutdown` event. */
  async crash(): Promise<ExitInfo> {
    const child = this.#child;
    if (!child?.pid || this.#exitInfo) return this.#exitInfo ?? { code: null, signal: null };
    this.#noteHelpers();
    signal(-child.pid, "SIGKILL");
    await this.#waitExit(10_000);
    await this.#reapHelpers();
    return this.#exitInfo ?? { code: null, signal: null };
  }

  /** SIGUSR2 (in-process restart, same pid), then waits for a `hello-ok` with a new bootId. */
  async restartInProcess(): Promise<HelloOk> {
    const pid = this.pid;
    const before = this.hello?.server.bootId;
    if (!pid || !before) throw new Error(`${this.name} is not running`);
    signal(pid, "SIGUSR2");
    return this.#waitReady(before);
  }

  /** The last `n` lines the gateway printed. */
  logTail(n = 40): string {
    if (!existsSync(this.paths.consoleLog)) return "(no output)";
    return readFileSync(this.paths.consoleLog, "utf8").trimEnd().split("\n").slice(-n).join("\n");
  }

  /** Stops what runs, removes the temp root and OpenClaw's /tmp entries, and throws if anything survives. */
  async cleanup(): Promise<void> {
    await Promise.all([...this.#clients].map((c) => c.close()));
    if (this.pid) await this.stop(10_000);
    const locks = stateLockFiles(this.paths.stateDir);
    rmSync(this.paths.root, { recursive: true, force: true });
    removeTmpLeftovers(locks);
    const left: string[] = [];
    for (const p of processesMentioning(this.paths.root)) left.push(`process ${p.pid} (${p.cmdline})`);
    if (await portIsOpen(this.port)) left.push(`port ${this.port} still accepts connections`);
    if (existsSync(this.paths.root)) left.push(`folder ${this.paths.root}`);
    for (const f of locks) if (existsSync(f)) left.push(`lock file ${f}`);
    if (left.length > 0) throw new Error(`${this.name} left things behind:\n${left.join("\n")}`);
  }

  async #waitReady(notBootId?: string): Promise<HelloOk> {
    const budget = this.#opts.readyTimeoutMs ?? 60_000;
    const deadline = Date.now() + budget;
    let last = "no attempt yet";
    while (Date.now() < deadline) {
      if (this.#exitInfo) {
        const { code, signal: sig } = this.#exitInfo;
        throw new Error(`${this.name} exited (code ${code}, signal ${sig}) before it was ready\n${this.logTail()}`);
      }
      let retryIn = 250;
      try {
        const probe = await RawClient.connect({ url: this.url, token: this.token, timeoutMs: 10_000 });
        await probe.close();
        if (probe.bootId !== notBootId) {
          this.hello = probe.hello;
          this.#noteHelpers();
          return probe.hello;
        }
        last = "still the previous boot";
      } catch (err) {
        last = (err as Error).message;
        if (err instanceof GatewayRequestError) {
          if (err.code !== "UNAVAILABLE" && !err.retryable) throw new Error(`${this.name}: ${last}\n${this.logTail()}`);
          retryIn = Math.min(2000, Math.max(100, err.retryAfterMs ?? 500));
        }
      }
      await sleep(retryIn);
    }
    await this.crash(); // never leave a half-started gateway running
    throw new Error(
      `${this.name} not ready within ${budget} ms (last: ${last})\n--- last log lines ---\n${this.logTail()}`,
    );
  }

  async #waitExit(timeoutMs: number): Promise<boolean> {
    if (!this.#exited) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const exited = await Promise.race([this.#exited.then(() => true), timeout]);
    clearTimeout(timer);
    return exited;
  }

  #noteHelpers(): void {
    if (this.pid) for (const pid of descendantsOf(this.pid)) this.#helpers.add(pid);
  }

  /** Helpers normally exit with the gateway; one that does not within 5 s is killed and reported. */
  async #reapHelpers(): Promise<void> {
    const stragglers = await waitGone([...this.#helpers], 5000);
    for (const pid of stragglers) {
      console.warn(`${this.name}: helper ${pid} outlived the gateway; killing it`);
      signal(pid, "SIGKILL");
    }
    await waitGone(stragglers, 5000);
    this.#helpers.clear();
  }
}

/** Creates a gateway in a fresh temp root under `parentDir` and starts it. */
export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const parent = opts.parentDir ?? tmpdir();
  const root = mkdtempSync(join(parent, `${opts.name ?? "gateway"}-`));
  const gateway = new Gateway(opts, root, await freePort());
  try {
    await gateway.start();
  } catch (err) {
    await gateway.cleanup().catch(() => {});
    throw err;
  }
  return gateway;
}
