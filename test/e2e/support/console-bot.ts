/**
 * The bot as a person runs it: what `npm start -- --conversation NAME` runs (dist/ freshly built from src/,
 * with npm start's Node flags) in a child process on the console channel, driven through stdin and read
 * from stdout.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { buildDist } from "../../../scripts/build.ts";
import { repoRoot } from "../../../scripts/openclaw-paths.ts";
import { startFlags } from "../../../scripts/start-flags.ts";

/** A running console bot. */
export interface ConsoleBot {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Types a line. */
  type(line: string): void;
  /** Resolves when stdout (after `from` characters) matches `pattern`. */
  waitFor(pattern: RegExp, options?: { timeoutMs?: number; from?: number }): Promise<string>;
  /** Ends stdin (Ctrl-D) and waits for a clean exit. */
  quit(): Promise<number | null>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
}

/** The built entry point; built once per test process, before the first bot starts. */
let entry: string | undefined;

/** Starts the bot as `npm start` does, with the given environment (no platform tokens: console mode). */
export function startConsoleBot(options: { conversation: string; env: Record<string, string> }): ConsoleBot {
  entry ??= buildDist();
  const child = spawn(process.execPath, [...startFlags(), entry, "--conversation", options.conversation], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = once(child, "exit");
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    type: (line) => child.stdin?.write(`${line}\n`),
    async waitFor(pattern, { timeoutMs = 30_000, from = 0 } = {}) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const match = pattern.exec(out.slice(from));
        if (match) return match[0];
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`console bot: no ${pattern} in stdout:\n${out.slice(from)}\nstderr:\n${err}`);
    },
    async quit() {
      child.stdin?.end();
      const [code] = (await exited) as [number | null];
      return code;
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}
