/**
 * Child process for the crash test: opens the store at argv[2] and keeps changing it
 * from several concurrent loops, printing a line for every acknowledged change right
 * after its `await update()`: `c <id>` for a created thread and binding, `b <id>` for
 * a later merge into that thread. The parent SIGKILLs it at a random moment.
 * Usage: node crash-writer.ts <storePath> <firstId>
 */
import { openJsonStore } from "../../src/store/json-store.ts";
import { makeBinding, makeThread } from "./helpers.ts";

const [path, first] = process.argv.slice(2);
if (path === undefined || first === undefined) throw new Error("usage: crash-writer.ts <storePath> <firstId>");
// Small thresholds, so that kills also land in the middle of compactions.
const store = await openJsonStore({ path, compactAfterLines: 300, compactAfterBytes: 64 * 1024 });
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
