/**
 * The SIGKILL-during-writes test, shared by the stores: a child process (crash-writer.ts) writes from
 * eight loops and is killed at a random moment, 20 times; after each kill every change it saw
 * acknowledged must be there when the store is opened again.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import type { StorePort } from "../../src/core/ports.ts";
import { makeBinding, makeThread } from "./helpers.ts";

const writer = fileURLToPath(new URL("./crash-writer.ts", import.meta.url));
export const CRASH_ITERATIONS = 20;

export interface CrashTarget {
  kind: "json" | "postgres";
  /** The store's place, as crash-writer.ts takes it (a file path, a STORE_URL). */
  where: string;
  /** Opens the store as the kill left it, for checking (`iteration` lets the JSON store check a copy). */
  open(iteration: number): Promise<StorePort>;
}

interface Run {
  created: number[];
  bumped: number[];
  stderr: string;
}

/** Runs the writer and SIGKILLs it `delayMs` after it is ready (or after spawn when `early`). */
function runAndKill(target: CrashTarget, firstId: number, delayMs: number, early: boolean): Promise<Run> {
  return new Promise((resolve) => {
    const args = [writer, target.kind, target.where, String(firstId)];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
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

/** Registers the test; `target` is called inside it (after the suite's own setup ran). */
export function crashSafety(target: () => CrashTarget): void {
  it(`keeps every acknowledged change across ${CRASH_ITERATIONS} SIGKILLs at random moments`, async () => {
    const subject = target();
    const created = new Set<number>();
    const bumped = new Set<number>();
    let acknowledged = 0;
    for (let i = 0; i < CRASH_ITERATIONS; i++) {
      const early = i % 5 === 4; // now and then, kill while it is still opening
      const run = await runAndKill(
        subject,
        (i + 1) * 1_000_000,
        Math.floor(Math.random() * (early ? 400 : 250)),
        early,
      );
      expect(run.stderr).toBe("");
      for (const id of run.created) created.add(id);
      for (const id of run.bumped) bumped.add(id);
      acknowledged += run.created.length + run.bumped.length;
      await verify(await subject.open(i), created, bumped);
    }
    expect(acknowledged).toBeGreaterThan(CRASH_ITERATIONS * 10);
  }, 90_000);
}

async function verify(store: StorePort, created: Set<number>, bumped: Set<number>): Promise<void> {
  // A store that reads threads on demand (Postgres) is asked first, as the bot's entry points do.
  await store.load({
    names: [...created].map((id) => `thread-${id}`),
    conversations: [...created].map((id) => `chat:${id}`),
  });
  const { threads, bindings } = store.state;
  for (const id of created) {
    const { messageCount, state, ...made } = makeThread(id);
    // Every field of the create survives the later merge, which is there once acknowledged
    // (and may be there without: it can reach the disk just before the kill, unacknowledged).
    const merged = bumped.has(id) ? { messageCount: 1, state: "running" } : {};
    expect(threads[`thread-${id}`]).toMatchObject({ ...made, ...merged });
    expect(bindings[`chat:${id}`]).toEqual(makeBinding(id));
  }
  await store.close();
}
