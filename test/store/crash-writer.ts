/**
 * Child process for the crash tests: opens the store (`json <storePath>` or `postgres <STORE_URL>`)
 * and keeps changing it from several concurrent loops, printing a line for every acknowledged change
 * right after its `await update()`: `c <id>` for a created thread and binding, `b <id>` for a later
 * merge into that thread. The parent SIGKILLs it at a random moment.
 * Usage: node crash-writer.ts <json|postgres> <where> <firstId>
 */
import type { StorePort } from "../../src/core/ports.ts";
import { openJsonStore } from "../../src/store/json-store.ts";
import { openPool, openPostgresStore } from "../../src/store/postgres/index.ts";
import { makeBinding, makeThread } from "./helpers.ts";

const [kind, where, first] = process.argv.slice(2);
if (where === undefined || first === undefined)
  throw new Error("usage: crash-writer.ts <json|postgres> <where> <firstId>");
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const store: StorePort =
  kind === "postgres"
    ? await openPostgresStore({ pool: openPool(where, silent, 8), logger: silent })
    : // Small thresholds, so that kills also land in the middle of compactions.
      await openJsonStore({ path: where, compactAfterLines: 300, compactAfterBytes: 64 * 1024 });
process.stdout.write("ready\n");

let next = Number(first);
async function loop(): Promise<void> {
  for (;;) {
    const id = next++;
    await store.update({
      threads: { [`thread-${id}`]: makeThread(id) },
      bindings: { [`chat:${id}`]: makeBinding(id) },
    });
    process.stdout.write(`c ${id}\n`);
    await store.update({ threads: { [`thread-${id}`]: { messageCount: 1, state: "running" } } });
    process.stdout.write(`b ${id}\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, loop));
