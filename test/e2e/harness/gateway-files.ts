/**
 * The isolated file layout, config and environment of one test gateway, and the files OpenClaw writes
 * outside it (hard-coded /tmp paths, docs/openclaw-live-peer.md §2 and §9).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, realpathSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where one gateway keeps everything; all of it lives under `root`. */
export interface GatewayPaths {
  root: string;
  stateDir: string;
  home: string;
  tmp: string;
  configPath: string;
  /** OpenClaw's own file log (`logging.file`); without it the log goes to /tmp/openclaw/. */
  fileLog: string;
  /** The process's stdout and stderr. */
  consoleLog: string;
}

/** Lays out (and creates) the folders of a gateway rooted at `root`. */
export function gatewayPaths(root: string): GatewayPaths {
  const paths = {
    root,
    stateDir: join(root, "state"),
    home: join(root, "home"),
    tmp: join(root, "tmp"),
    configPath: join(root, "cfg", "openclaw.json"),
    fileLog: join(root, "logs", "openclaw.log"),
    consoleLog: join(root, "logs", "console.log"),
  };
  for (const dir of [paths.stateDir, paths.home, paths.tmp, join(root, "cfg"), join(root, "logs")]) {
    mkdirSync(dir, { recursive: true });
  }
  return paths;
}

/** What the config needs to know. */
export interface ConfigInput {
  port: number;
  token: string;
  modelBaseUrl: string;
  /** Seconds OpenClaw waits for the model; long, so held answers are released by tests, not timed out. */
  modelTimeoutSeconds: number;
}

/** The config of docs/openclaw-live-peer.md §2.2, with every outbound call it can switch off switched off. */
export function gatewayConfig(paths: GatewayPaths, input: ConfigInput): Record<string, unknown> {
  return {
    gateway: {
      mode: "local",
      port: input.port,
      bind: "loopback",
      auth: { mode: "token", token: input.token },
      reload: { mode: "off" },
    },
    update: { checkOnStart: false },
    telemetry: { enabled: false },
    discovery: { mdns: { mode: "off" } },
    logging: { file: paths.fileLog },
    agents: { defaults: { model: { primary: "fake/echo-1" } } },
    models: {
      mode: "merge",
      catalogRefresh: { enabled: false },
      providers: {
        fake: {
          baseUrl: input.modelBaseUrl,
          apiKey: "fake-local",
          api: "openai-completions",
          timeoutSeconds: input.modelTimeoutSeconds,
          models: [
            {
              id: "echo-1",
              name: "Echo 1",
              reasoning: false,
              input: ["text"],
              cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
              contextWindow: 128000,
              maxTokens: 4096,
            },
          ],
        },
      },
    },
  };
}

/** Writes the config file. */
export function writeConfig(paths: GatewayPaths, config: Record<string, unknown>): void {
  writeFileSync(paths.configPath, `${JSON.stringify(config, null, 2)}\n`);
}

const offlineGuard = fileURLToPath(new URL("./offline-guard.cjs", import.meta.url));

/** A clean environment (nothing inherited but PATH): isolated dirs, channels off, no phoning home. */
export function gatewayEnv(paths: GatewayPaths, nodeDir: string): Record<string, string> {
  return {
    PATH: `${nodeDir}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    LANG: "C.UTF-8",
    TZ: "UTC",
    HOME: paths.home,
    TMPDIR: paths.tmp,
    OPENCLAW_STATE_DIR: paths.stateDir,
    OPENCLAW_CONFIG_PATH: paths.configPath,
    OPENCLAW_DISABLE_BONJOUR: "1",
    OPENCLAW_SKIP_CHANNELS: "1",
    OPENCLAW_SKIP_CRON: "1",
    // Keeps the pid we spawned as the gateway's pid, also across SIGUSR2.
    OPENCLAW_NO_RESPAWN: "1",
    OPENCLAW_EXEC_SHELL_SNAPSHOT: "0",
    OPENCLAW_NO_AUTO_UPDATE: "1",
    DO_NOT_TRACK: "1",
    NODE_OPTIONS: `--require ${JSON.stringify(offlineGuard)}`,
    // Lets a leak check find this gateway and its helpers by environment (the gateway renames its title).
    THREADKEEPER_E2E_ROOT: paths.root,
  };
}

/** OpenClaw's SQLite lock folder: hard-coded /tmp, ignores TMPDIR. */
export function stateLocksDir(): string {
  return `/tmp/openclaw-state-locks-${process.getuid?.() ?? 0}`;
}

function sqliteFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".sqlite"))
      .map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

/**
 * The lock files OpenClaw made for this state dir: `<family>.<hash>.lock.sqlite*`, hash = first 8 hex of
 * sha256(realpath(database)) (dist `resolveLifecycleCoordinatorBase`). Call before the state dir is deleted.
 */
export function stateLockFiles(stateDir: string): string[] {
  const hashes = sqliteFiles(stateDir).map((db) =>
    createHash("sha256").update(realpathSync.native(db)).digest("hex").slice(0, 8),
  );
  let entries: string[] = [];
  try {
    entries = readdirSync(stateLocksDir());
  } catch {
    return [];
  }
  return entries.filter((name) => hashes.some((h) => name.includes(`.${h}.`))).map((n) => join(stateLocksDir(), n));
}

/** Removes the given /tmp lock files, then the shared /tmp folders if they are empty (others may use them). */
export function removeTmpLeftovers(lockFiles: string[]): void {
  for (const file of lockFiles) rmSync(file, { force: true });
  for (const dir of [stateLocksDir(), "/tmp/openclaw"]) {
    try {
      rmdirSync(dir);
    } catch {
      // not empty (another gateway uses it) or already gone
    }
  }
}
