/**
 * vitest globalSetup of the e2e project: makes sure the pinned OpenClaw is installed, gives the run one temp
 * folder, and at teardown fails the run if any gateway process, port or temp folder was left behind.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureOpenclawInstalled } from "../../../scripts/openclaw-install.ts";
import { LEDGER_NAME } from "./e2e-context.ts";
import { portIsOpen, processesMentioning, signal, waitGone } from "./processes.ts";

interface LedgerEntry {
  name: string;
  root: string;
  port: number;
  pid: number;
}

function readLedger(runDir: string): LedgerEntry[] {
  const file = join(runDir, LEDGER_NAME);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LedgerEntry);
}

/** Everything the run left behind; kills leaked processes so one failed run does not poison the next. */
async function leftovers(runDir: string): Promise<string[]> {
  const found: string[] = [];
  const procs = processesMentioning(runDir);
  for (const p of procs) {
    found.push(`process ${p.pid}: ${p.cmdline}`);
    signal(p.pid, "SIGKILL");
  }
  await waitGone(
    procs.map((p) => p.pid),
    5000,
  );
  const ledger = readLedger(runDir);
  for (const entry of ledger) {
    if (await portIsOpen(entry.port)) found.push(`port ${entry.port} (${entry.name}) still open`);
  }
  const entries = existsSync(runDir) ? readdirSync(runDir).filter((n) => n !== LEDGER_NAME) : [];
  for (const name of entries) found.push(`temp folder ${join(runDir, name)}`);
  return found;
}

/** Installs (or reuses) OpenClaw and provides the run folder; the returned teardown asserts a clean machine. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  await ensureOpenclawInstalled();
  const runDir = mkdtempSync(join(tmpdir(), "threadkeeper-e2e-"));
  project.provide("e2eRunDir", runDir);
  return async () => {
    const found = await leftovers(runDir);
    const gateways = readLedger(runDir).length;
    rmSync(runDir, { recursive: true, force: true });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (found.length > 0) {
      throw new Error(`e2e run left things behind (now removed):\n${found.join("\n")}`);
    }
    console.log(`e2e: ${gateways} gateway start(s) in ${seconds} s; no process, port or temp folder left behind`);
  };
}
