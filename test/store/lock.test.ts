import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/core/errors.ts";
import { openJsonStore } from "../../src/store/json-store.ts";
import { acquireLock, type LockSystem, osLockSystem, procState } from "../../src/store/lock.ts";
import { tempDir } from "./helpers.ts";

let dir: string;
let cleanup: () => Promise<void>;
let path: string;
let children: ChildProcess[] = [];

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  path = join(dir, "threads.json");
});
afterEach(async () => {
  for (const child of children) child.kill("SIGKILL");
  children = [];
  await cleanup();
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(result.stdout.toString());
}

/** A live child process (killed after the test). */
function liveChild(): ChildProcess {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  children.push(child);
  return child;
}

/**
 * A system whose clock only moves when the lock sleeps, and whose processes are what
 * the test says: a wait of 15 s takes no time.
 */
function scriptedSystem(processes: Record<number, string>, onSleep?: (now: number) => Promise<void>) {
  let clock = 0;
  const system: LockSystem = {
    processExists: (pid) => pid in processes,
    readProcStat: async (pid) => (pid in processes ? `${pid} (bot) ${processes[pid]} 1 1 1` : null),
    sleep: async (ms) => {
      clock += ms;
      await onSleep?.(clock);
    },
    monotonic: () => clock,
  };
  return { system, elapsed: () => clock };
}

async function writeLock(pid: number, since = 0): Promise<void> {
  await writeFile(`${path}.lock`, JSON.stringify({ pid, since }));
}

describe("store lock", () => {
  it("refuses a second open in the same process, at once", async () => {
    const store = await openJsonStore({ path });
    const error = await openJsonStore({ path }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.Config });
    expect((error as Error).message).toContain(`Store ${path} is already open in this process`);
    await store.close();
    const again = await openJsonStore({ path });
    await again.close();
  });

  it("lets only one of two concurrent opens in one process win", async () => {
    const results = await Promise.allSettled([openJsonStore({ path }), openJsonStore({ path })]);
    const opened = results.filter((result) => result.status === "fulfilled");
    expect(opened).toHaveLength(1);
    expect(results.find((result) => result.status === "rejected")).toMatchObject({
      reason: { code: ErrorCode.Config },
    });
    await (opened[0] as PromiseFulfilledResult<{ close(): Promise<void> }>).value.close();
  });

  it("refuses while another live process holds it, naming the file, the pid and the wait", async () => {
    const child = liveChild();
    await writeLock(child.pid ?? 0);
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (message: string) => warnings.push(message), error() {} };
    const error = (await openJsonStore({ path, logger, lockWaitMs: 300 }).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: "BotError", code: ErrorCode.Config });
    expect(error.message).toContain(path);
    expect(error.message).toContain(
      `process ${child.pid} since 1970-01-01T00:00:00.000Z and did not close within 300 ms`,
    );
    expect(warnings).toEqual([`Store ${path} is open in process ${child.pid}; waiting up to 300 ms for it to close.`]);
    expect(JSON.parse(await readFile(`${path}.lock`, "utf8")).pid).toBe(child.pid);
  });

  it("opens once a live holder lets go during the wait", async () => {
    const child = liveChild();
    await writeLock(child.pid ?? 0);
    setTimeout(() => void rm(`${path}.lock`), 300);
    const store = await openJsonStore({ path, lockWaitMs: 10_000 });
    expect(JSON.parse(await readFile(`${path}.lock`, "utf8")).pid).toBe(process.pid);
    await store.close();
  });

  it("takes over the lock of a dead process", async () => {
    await writeLock(deadPid());
    const store = await openJsonStore({ path, now: () => 42 });
    expect(JSON.parse(await readFile(`${path}.lock`, "utf8"))).toEqual({ pid: process.pid, since: 42 });
    await store.close();
  });

  it("takes over a lock file that says nothing readable", async () => {
    await writeFile(`${path}.lock`, "garbage");
    const store = await openJsonStore({ path });
    expect(JSON.parse(await readFile(`${path}.lock`, "utf8")).pid).toBe(process.pid);
    await store.close();
  });
});

describe("store lock: waiting for a live holder (scripted system)", () => {
  const lockOptions = () => ({ lockPath: `${path}.lock`, storePath: path, now: () => 7 });

  it("waits 15 s by default, says so once, then refuses", async () => {
    await writeLock(4242);
    const { system, elapsed } = scriptedSystem({ 4242: "S" });
    const said: string[] = [];
    const error = await acquireLock({ ...lockOptions(), system, onWait: (m) => said.push(m) }).catch((e) => e);
    expect(error).toMatchObject({ code: ErrorCode.Config });
    expect((error as Error).message).toContain(
      "process 4242 since 1970-01-01T00:00:00.000Z and did not close within 15 s",
    );
    expect(said).toEqual([`Store ${path} is open in process 4242; waiting up to 15 s for it to close.`]);
    expect(elapsed()).toBe(15_000);
  });

  it("takes the lock when the holder removes it during the wait", async () => {
    await writeLock(4242);
    const { system, elapsed } = scriptedSystem({ 4242: "S" }, async (now) => {
      if (now === 3_000) await rm(`${path}.lock`);
    });
    const lock = await acquireLock({ ...lockOptions(), system });
    expect(elapsed()).toBe(3_000);
    expect(JSON.parse(await readFile(`${path}.lock`, "utf8"))).toEqual({ pid: process.pid, since: 7 });
    await lock.release();
  });

  it("takes over when the holder dies during the wait", async () => {
    await writeLock(4242);
    const processes: Record<number, string> = { 4242: "S" };
    const { system, elapsed } = scriptedSystem(processes, async (now) => {
      if (now === 500) processes[4242] = "Z";
    });
    const lock = await acquireLock({ ...lockOptions(), system });
    expect(elapsed()).toBe(500);
    await lock.release();
  });

  it("takes over a zombie's lock at once, without waiting", async () => {
    await writeLock(4242);
    const { system, elapsed } = scriptedSystem({ 4242: "Z" });
    const said: string[] = [];
    const lock = await acquireLock({ ...lockOptions(), system, onWait: (m) => said.push(m) });
    expect(elapsed()).toBe(0);
    expect(said).toEqual([]);
    await lock.release();
  });

  it("refuses at once with waitMs 0", async () => {
    await writeLock(4242);
    const { system, elapsed } = scriptedSystem({ 4242: "R" });
    const error = (await acquireLock({ ...lockOptions(), system, waitMs: 0 }).catch((e) => e)) as Error;
    expect(error.message).toContain("is already open in process 4242 since");
    expect(error.message).not.toContain("did not close");
    expect(elapsed()).toBe(0);
  });

  it("counts a holder whose /proc cannot be read (not Linux) as alive", async () => {
    await writeLock(4242);
    const { system } = scriptedSystem({ 4242: "S" });
    const error = await acquireLock({ ...lockOptions(), system: { ...system, readProcStat: async () => null } }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: ErrorCode.Config });
  });
});

describe("procState", () => {
  it("reads the state after the last parenthesis, whatever the command name holds", () => {
    expect(procState("4242 (sleep) S 1 4242 4242 0 -1 4194560")).toBe("S");
    expect(procState("4242 (a) Z (b) ) Z 1 4242")).toBe("Z");
    expect(procState("4242 (node ) R) R 1")).toBe("R");
    expect(procState("17 (with space) D 2 0")).toBe("D");
  });

  it("says nothing about a line that is not a stat line", () => {
    expect(procState("")).toBeUndefined();
    expect(procState("4242 sleep S 1")).toBeUndefined();
    expect(procState("4242 (sleep)")).toBeUndefined();
    expect(procState("4242 (sleep) 12 1")).toBeUndefined();
  });

  it.runIf(process.platform === "linux")("reads this process's own /proc/self/stat as running", () => {
    expect(procState(readFileSync("/proc/self/stat", "utf8"))).toBe("R");
  });
});

describe.runIf(process.platform === "linux")("store lock: a real zombie", () => {
  /**
   * A zombie child of a process that never reaps: `sh` starts `sleep 0.1` in the
   * background, prints its pid, and execs `sleep 30`, which never waits for children.
   */
  async function zombie(): Promise<number> {
    const parent = spawn("sh", ["-c", "sleep 0.1 & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
    children.push(parent);
    const pid = await new Promise<number>((resolve) => parent.stdout?.once("data", (d) => resolve(Number(String(d)))));
    for (let i = 0; i < 100; i++) {
      const stat = await osLockSystem.readProcStat(pid);
      if (stat !== null && procState(stat) === "Z") return pid;
      await osLockSystem.sleep(20);
    }
    throw new Error(`process ${pid} did not become a zombie`);
  }

  it("takes over the lock of a process that exited but was not reaped", async () => {
    const pid = await zombie();
    expect(osLockSystem.processExists(pid)).toBe(true); // kill(pid, 0) alone would call it alive
    await writeLock(pid);
    const started = performance.now();
    const store = await openJsonStore({ path });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(JSON.parse(await readFile(`${path}.lock`, "utf8")).pid).toBe(process.pid);
    await store.close();
  });
});
