import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/core/errors.ts";
import { openJsonStore } from "../../src/store/json-store.ts";
import { tempDir } from "./helpers.ts";

let dir: string;
let cleanup: () => Promise<void>;
let path: string;
let child: ChildProcess | undefined;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  path = join(dir, "threads.json");
});
afterEach(async () => {
  child?.kill("SIGKILL");
  child = undefined;
  await cleanup();
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(result.stdout.toString());
}

describe("store lock", () => {
  it("refuses a second open in the same process", async () => {
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

  it("refuses while another live process holds it, naming the file and the pid", async () => {
    child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    await writeFile(`${path}.lock`, JSON.stringify({ pid: child.pid, since: 0 }));
    const error = (await openJsonStore({ path }).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: "BotError", code: ErrorCode.Config });
    expect(error.message).toContain(path);
    expect(error.message).toContain(`process ${child.pid} since 1970-01-01T00:00:00.000Z`);
    expect(JSON.parse(await readFile(`${path}.lock`, "utf8")).pid).toBe(child.pid);
  });

  it("takes over the lock of a dead process", async () => {
    await writeFile(`${path}.lock`, JSON.stringify({ pid: deadPid(), since: 0 }));
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
