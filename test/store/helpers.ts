import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Binding, Thread } from "../../src/core/model.ts";

/** A fresh temp directory; call the returned cleanup in afterEach. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "threadkeeper-store-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A realistic thread record. */
export function makeThread(i: number, overrides: Partial<Thread> = {}): Thread {
  const slug = `thread-${i}`;
  return {
    slug,
    name: `Thread ${i}`,
    agentId: "main",
    sessionKey: `agent:main:named:${slug}`,
    label: `Thread ${i}`,
    createdAt: 1_700_000_000_000 + i,
    createdBy: `telegram:${1000 + i}`,
    lastActivityAt: 1_700_000_000_000 + i,
    messageCount: 0,
    state: "idle",
    ...overrides,
  };
}

/** A binding of a Telegram chat to thread `i`. */
export function makeBinding(i: number): Binding {
  return { slug: `thread-${i}`, boundAt: 1_700_000_000_000 + i, boundBy: `telegram:${1000 + i}` };
}
