/**
 * Installs the pinned OpenClaw gateway into .cache/openclaw once, for the e2e tests, the demo and the benchmarks.
 * Run: `npm run gateway:install` (also the first step of `npm run test:e2e`).
 *
 * The install counts only when installed.json exists; that marker is written after `openclaw --version` answered
 * with the pinned version. Anything else in the folder is removed and installed again, never half-used.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import {
  fallbackNodeDir,
  findNode24,
  type InstallMarker,
  installDir,
  markerFile,
  OPENCLAW_VERSION,
  openclawEntry,
  readInstallMarker,
  repoRoot,
} from "./openclaw-paths.ts";

const lockDir = `${installDir}.lock`;
const installLog = `${installDir}-install.log`;
const say = (line: string) => console.log(`openclaw ${OPENCLAW_VERSION}: ${line}`);

/** What a caller needs to run the installed gateway. */
export interface OpenclawInstall {
  /** Node binary satisfying openclaw's engines. */
  node: string;
  /** Path of openclaw.mjs. */
  entry: string;
}

/** Ensures the pinned install exists (installing it if needed) and returns how to run it. */
export async function ensureOpenclawInstalled(): Promise<OpenclawInstall> {
  if (readInstallMarker()) return cached();
  await withLock(async () => {
    if (readInstallMarker()) return; // another process finished it while we waited
    const node = findNode24() ?? (await installFallbackNode());
    await installOpenclaw(node);
  });
  return cached();
}

function cached(): OpenclawInstall {
  const node = findNode24();
  if (!node) throw new Error("no Node >=24.16 found; run `npm run gateway:install`");
  return { node, entry: openclawEntry };
}

async function installOpenclaw(node: string): Promise<void> {
  const started = Date.now();
  say(`installing into ${relative(repoRoot, installDir)} with node ${nodeVersion(node)} (about 25 s)`);
  rmSync(installDir, { recursive: true, force: true });
  mkdirSync(installDir, { recursive: true });
  // npm 11 skips dependency install scripts unless allowed; these four ran (offline) in the live-peer study.
  const allowScripts = { openclaw: true, koffi: true, protobufjs: true, "@google/genai": true };
  const pkg = { name: "openclaw-cache", private: true, allowScripts };
  writeFileSync(join(installDir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  await runNpm(node, installDir, [`openclaw@${OPENCLAW_VERSION}`]);
  verify(node);
  const marker: InstallMarker = { version: OPENCLAW_VERSION, node, installedAt: new Date().toISOString() };
  writeFileSync(markerFile, `${JSON.stringify(marker, null, 2)}\n`);
  say(`installed and verified in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Only when the project's own `node` package is gone: fetch the same package into .cache/node24. */
async function installFallbackNode(): Promise<string> {
  say(`no Node >=24.16 found; installing node@24.16.0 into ${relative(repoRoot, fallbackNodeDir)}`);
  rmSync(fallbackNodeDir, { recursive: true, force: true });
  mkdirSync(fallbackNodeDir, { recursive: true });
  writeFileSync(join(fallbackNodeDir, "package.json"), `${JSON.stringify({ name: "node24-cache", private: true })}\n`);
  await runNpm(process.execPath, fallbackNodeDir, ["node@24.16.0"]);
  const node = findNode24();
  if (!node) throw new Error("installing node@24.16.0 did not produce a usable Node 24 binary");
  return node;
}

/** Runs `npm install` with `node` first on PATH, because openclaw's install scripts check the Node version. */
function runNpm(node: string, prefix: string, specs: string[]): Promise<void> {
  const args = ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix, ...specs];
  // npm_* variables from an enclosing `npm run` would point the nested npm at the project itself.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")));
  env.PATH = [dirname(node), env.PATH ?? ""].join(delimiter);
  env.npm_config_update_notifier = "false";
  return new Promise((resolve, reject) => {
    const child = spawn("npm", args, { cwd: prefix, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("close", (code) => {
      writeFileSync(installLog, output);
      if (code === 0) return resolve();
      const tail = output.trim().split("\n").slice(-15).join("\n");
      reject(new Error(`npm ${args.join(" ")} failed (exit ${code}); log: ${installLog}\n${tail}`));
    });
  });
}

/** `openclaw --version` in a throwaway HOME and state dir, so verifying leaves nothing in ~/.openclaw. */
function verify(node: string): void {
  if (!existsSync(openclawEntry)) throw new Error(`install incomplete: ${openclawEntry} is missing`);
  const scratch = mkdtempSync(join(tmpdir(), "openclaw-verify-"));
  try {
    const env = { PATH: process.env.PATH ?? "", HOME: scratch, TMPDIR: scratch, OPENCLAW_STATE_DIR: scratch };
    const out = spawnSync(node, [openclawEntry, "--version"], { env, encoding: "utf8", timeout: 60_000 });
    const text = `${out.stdout ?? ""}${out.stderr ?? ""}`.trim();
    if (out.status !== 0 || !text.includes(OPENCLAW_VERSION)) {
      throw new Error(`openclaw --version did not report ${OPENCLAW_VERSION} (exit ${out.status}): ${text}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function nodeVersion(node: string): string {
  return spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
}

/** A directory lock, so two `npm run test:e2e` in one checkout do not install over each other. */
async function withLock(work: () => Promise<void>): Promise<void> {
  mkdirSync(dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  let told = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, "pid"), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (lockIsStale()) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the install lock ${lockDir}`);
      if (!told) say("waiting for another install to finish");
      told = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function lockIsStale(): boolean {
  try {
    const pid = Number(readFileSync(join(lockDir, "pid"), "utf8"));
    process.kill(pid, 0);
    return false;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EPERM") return false;
    // No pid file yet: the owner may be between mkdir and write; give it a few seconds.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      try {
        return Date.now() - statSync(lockDir).mtimeMs > 5000;
      } catch {
        return true;
      }
    }
    return true;
  }
}

if (import.meta.main) {
  try {
    const started = Date.now();
    const wasReady = Boolean(readInstallMarker());
    const { node } = await ensureOpenclawInstalled();
    if (wasReady) say(`ready (cached, node ${nodeVersion(node)}, ${Date.now() - started} ms)`);
  } catch (err) {
    console.error(`openclaw ${OPENCLAW_VERSION}: install failed: ${(err as Error).message}`);
    process.exit(1);
  }
}
