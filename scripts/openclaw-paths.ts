/**
 * Where the pinned OpenClaw install lives and which Node 24 runs it.
 * Shared by scripts/openclaw-install.ts, the e2e harness, the demo and the benchmarks.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The OpenClaw release every test and the demo run against. */
export const OPENCLAW_VERSION = "2026.9.6";

/** The repository root (this file lives in scripts/). */
export const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));

/** The git-ignored folder holding the OpenClaw install. */
export const installDir = join(repoRoot, ".cache", "openclaw");

/** Written last, only after a verified install; its absence means "redo". */
export const markerFile = join(installDir, "installed.json");

/** The CLI entry the gateway is spawned from. */
export const openclawEntry = join(installDir, "node_modules", "openclaw", "openclaw.mjs");

/** Fallback Node 24 download location, used only when the project's own `node` package is missing. */
export const fallbackNodeDir = join(repoRoot, ".cache", "node24");

/** True when `version` (e.g. "v24.16.0") satisfies openclaw's engines: >=24.16.0 <25 || >=26.1.0. */
export function satisfiesOpenclawEngines(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major === 24) return minor >= 16;
  if (major === 26) return minor >= 1;
  return major > 26;
}

function nodeVersionOf(bin: string): string | undefined {
  try {
    return execFileSync(bin, ["--version"], { encoding: "utf8", timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

/** Node binaries we may use, best first: the project's `node` package, the running Node, the fallback download. */
export function node24Candidates(): string[] {
  return [
    join(repoRoot, "node_modules", "node", "bin", "node"),
    process.execPath,
    join(fallbackNodeDir, "node_modules", "node", "bin", "node"),
  ];
}

/** The first Node binary that satisfies openclaw's engines, or undefined. */
export function findNode24(): string | undefined {
  for (const bin of node24Candidates()) {
    if (!existsSync(bin)) continue;
    const version = nodeVersionOf(bin);
    if (version && satisfiesOpenclawEngines(version)) return bin;
  }
  return undefined;
}

/** Marker contents written by the installer. */
export interface InstallMarker {
  version: string;
  node: string;
  installedAt: string;
}

/** The marker if the install is complete and matches the pinned version; otherwise undefined. */
export function readInstallMarker(): InstallMarker | undefined {
  try {
    const marker = JSON.parse(readFileSync(markerFile, "utf8")) as InstallMarker;
    if (marker.version !== OPENCLAW_VERSION || !existsSync(openclawEntry)) return undefined;
    const pkg = JSON.parse(readFileSync(join(dirname(openclawEntry), "package.json"), "utf8")) as { version?: string };
    return pkg.version === OPENCLAW_VERSION ? marker : undefined;
  } catch {
    return undefined;
  }
}
