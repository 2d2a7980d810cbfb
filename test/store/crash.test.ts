import { spawn } from "node:child_process";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openJsonStore } from "../../src/store/json-store.ts";
import { makeBinding, makeThread, tempDir } from "./helpers.ts";

const writer = fileURLToPath(new URL("./crash-writer.ts", import.meta.url));
const ITERATIONS = 20;

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

interface Run {
  created: number[];
  bumped: number[];
  stderr: string;
}

/** Runs the writer on `path` and SIGKILLs it `delayMs` after it is ready (or after spawn when `early`). */
function runAndKill(path: string, firstId: number, delayMs: number, early: boolean): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [writer, path, String(firstId)], { stdio: ["ignore", "pipe", "pipe"] });
    const run: Run = { created: [], bumped: [], stderr: "" };
    let buffered = "";
    const kill = () => setTimeout(() => child.kill("SIGKILL"), delayMs);
    if (early) kill();
    child.stderr.on("data", (data: Buffer) => {
      run.stderr += data.toString();
    });
    child.stdout.on("data", (data: Buffer) => {
      buffered += data.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "ready" && !early) kill();
        const [kind, id] = line.split(" ");
        if (kind === "c") run.created.push(Number(id));
        if (kind === "b") run.bumped.push(Number(id));
      }
    });
    child.on("close", () => resolve(run));
  });
}

describe("crash safety", () => {
  it(`keeps every acknowledged change across ${ITERATIONS} SIGKILLs at random moments`, async () => {
    const path = join(dir, "live", "threads.json");
    await mkdir(join(dir, "live"), { recursive: true });
    const created = new Set<number>();
    const bumped = new Set<number>();
    let acknowledged = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const early = i % 5 === 4; // now and then, kill while it is still opening
      const run = await runAndKill(path, (i + 1) * 1_000_000, Math.floor(Math.random() * (early ? 400 : 250)), early);
      expect(run.stderr).toBe("");
      for (const id of run.created) created.add(id);
      for (const id of run.bumped) bumped.add(id);
      acknowledged += run.created.length + run.bumped.length;
      await verifyCopy(path, join(dir, `check-${i}`), created, bumped);
    }
    expect(acknowledged).toBeGreaterThan(ITERATIONS * 10);
    // The next writer recovered each crashed state; a clean open and close works at the end.
    const store = await openJsonStore({ path });
    expect(Object.keys(store.state.threads).length).toBeGreaterThanOrEqual(created.size);
    await store.close();
  }, 60_000);
});

/** Opens a copy of the crashed files (so the next writer still meets the crash as it was) and checks every ack. */
async function verifyCopy(path: string, checkDir: string, created: Set<number>, bumped: Set<number>): Promise<void> {
  await mkdir(checkDir);
  const copy = join(checkDir, "threads.json");
  await copyFile(path, copy);
  await copyFile(`${path}.log`, `${copy}.log`).catch(() => undefined);
  const store = await openJsonStore({ path: copy });
  const { threads, bindings } = store.state;
  for (const id of created) {
    const { messageCount, state, ...created } = makeThread(id);
    // Every field of the create survives the later merge, which is there once acknowledged
    // (and may be there without: it can reach the disk just before the kill, unacknowledged).
    const merged = bumped.has(id) ? { messageCount: 1, state: "running" } : {};
    expect(threads[`thread-${id}`]).toMatchObject({ ...created, ...merged });
    expect(bindings[`chat:${id}`]).toEqual(makeBinding(id));
  }
  await store.close();
}
