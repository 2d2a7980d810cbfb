/**
 * A platform bot as `npm start` runs it (dist/ built from src/, npm start's Node flags), in a child process
 * with the given environment: the Telegram channel against a fake Bot API, the store on Postgres. For the
 * tests of several processes on one deployment, which kill and restart them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { buildDist } from "../../../scripts/build.ts";
import { repoRoot } from "../../../scripts/openclaw-paths.ts";
import { startFlags } from "../../../scripts/start-flags.ts";

export interface BotProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything written to stderr (the JSON log lines) so far. */
  log(): string;
  /** Resolves when the log (after `from` characters) matches `pattern`. */
  waitForLog(pattern: RegExp, options?: { timeoutMs?: number; from?: number }): Promise<void>;
  /** Sends `signal` and waits for the exit; resolves with the exit code (null after a kill). */
  stop(signal: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

let entry: string | undefined;

export function startBotProcess(name: string, env: Record<string, string>): BotProcess {
  entry ??= buildDist();
  const child = spawn(process.execPath, [...startFlags(), entry], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return {
    name,
    child,
    log: () => err,
    exited,
    async waitForLog(pattern, { timeoutMs = 30_000, from = 0 } = {}) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (pattern.test(err.slice(from))) return;
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`${name}: no log line matching ${pattern} (exit ${child.exitCode}); log:\n${err.slice(-3000)}`);
    },
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
