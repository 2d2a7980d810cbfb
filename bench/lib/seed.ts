/**
 * Realistic store contents for the benchmarks: N named threads as people create them, each bound to
 * one to three conversations across Telegram (DMs, forum topics) and Discord (channels, threads), with
 * the native topics/threads the bot opened, a checkpoint for every thread that ever ran a turn (task,
 * tool calls with arguments), and a few old notices. Deterministic (seeded PRNG).
 */
import { encodeRootSessionKey, encodeSessionKey } from "../../src/core/keys/session-key.ts";
import { slugify } from "../../src/core/keys/thread-slug.ts";
import type { StoreState } from "../../src/core/model.ts";
import type { MergePatch } from "../../src/core/ports.ts";
import { openJsonStore } from "../../src/store/index.ts";

/** A fixed "now" so files are identical run to run. */
export const SEED_NOW = 1_760_000_000_000;

const WORDS = ["budget", "planning", "roadmap", "hiring", "q3", "launch", "infra", "billing", "design", "research"];
const MORE = ["review", "notes", "sync", "migration", "audit", "report", "ideas", "backlog", "ops", "support"];
const TOOLS = ["web_search", "read_file", "exec", "sessions_send", "browser_open"];

/** A small seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a seeded store holds, for lookups and for building journal entries. */
export interface Seeded {
  patch: MergePatch<StoreState>;
  /** Display names, index i = thread i. */
  names: string[];
  slugs: string[];
  /** Every bound conversation key. */
  conversations: string[];
  /** The first conversation each thread is bound to. */
  primary: string[];
}

/** Display name of thread `i`. */
export function threadName(i: number): string {
  return `${WORDS[i % WORDS.length]} ${MORE[Math.floor(i / WORDS.length) % MORE.length]} ${i}`;
}

/** seedStore's options: `confirm` makes threads child sessions of the root; `lean` keeps threads and one binding each. */
export interface SeedOptions {
  policy?: "auto" | "confirm";
  agentId?: string;
  lean?: boolean;
}

/** One seeded thread: its entries (record field, key, value) and where it is bound, the first binding first. */
export interface SeededThread {
  index: number;
  name: string;
  slug: string;
  conversations: string[];
  entries: [field: string, key: string, value: unknown][];
}

/**
 * The threads of a store with `count` threads, one at a time, in seedStore's order and with its random
 * draws: what seedStore builds, for callers that cannot hold a million threads at once (bench/lib/pg-world.ts).
 */
export function* seedThreads(count: number, options: SeedOptions = {}): Generator<SeededThread> {
  const random = prng(count);
  const agentId = options.agentId ?? "main";
  const parent = options.policy === "confirm" ? encodeRootSessionKey(agentId) : undefined;
  for (let i = 0; i < count; i++) {
    const name = threadName(i);
    const slug = slugify(name);
    const entries: SeededThread["entries"] = [];
    const conversations: string[] = [];
    const createdAt = SEED_NOW - Math.floor(random() * 90 * 86_400_000);
    const person = `telegram:${400_000_000 + Math.floor(random() * 5_000_000)}`;
    entries.push([
      "threads",
      slug,
      {
        ...{ slug, name, agentId, sessionKey: encodeSessionKey({ agentId, slug }), label: name },
        ...(parent ? { parentSessionKey: parent } : {}),
        ...{ createdAt, createdBy: person, lastActivityAt: createdAt + Math.floor(random() * 86_400_000) },
        ...{ messageCount: Math.floor(random() * 400), state: "idle" },
      },
    ]);
    const places = options.lean ? 1 : 1 + (random() < 0.3 ? 1 : 0) + (random() < 0.1 ? 1 : 0);
    for (let p = 0; p < places; p++) {
      const { conversation, container } = place(i, p, random);
      entries.push(["bindings", conversation, { slug, boundAt: createdAt + p * 60_000, boundBy: person }]);
      if (container && !options.lean)
        entries.push(["nativeThreads", `${container}|${slug}`, { conversation, createdAt: createdAt + p * 60_000 }]);
      conversations.push(conversation);
    }
    if (!options.lean) {
      if (random() < 0.8) entries.push(["checkpoints", slug, checkpoint(i, slug, agentId, createdAt, random)]);
      if (random() < 0.02) entries.push(["notices", `n${i}`, notice(i, slug, conversations[0] ?? "", createdAt)]);
    }
    yield { index: i, name, slug, conversations, entries };
  }
}

/** The top-level fields of a seeded store with `count` threads (beside its records). */
export function seedScalars(count: number): Record<string, unknown> {
  return { seq: count };
}

/**
 * Builds the contents of a store with `count` threads; `confirm` makes them child sessions of the root.
 * `lean` keeps only threads and one binding each (the layout of test/store/measure-store.ts).
 */
export function seedStore(count: number, options: SeedOptions = {}): Seeded {
  const records: Record<string, Record<string, unknown>> = {
    threads: {},
    bindings: {},
    nativeThreads: {},
    checkpoints: {},
    notices: {},
  };
  const seeded: Seeded = { patch: {}, names: [], slugs: [], conversations: [], primary: [] };
  for (const thread of seedThreads(count, options)) {
    for (const [field, key, value] of thread.entries) (records[field] as Record<string, unknown>)[key] = value;
    seeded.conversations.push(...thread.conversations);
    seeded.primary.push(thread.conversations[0] ?? "");
    seeded.names.push(thread.name);
    seeded.slugs.push(thread.slug);
  }
  seeded.patch = { ...seedScalars(count), ...records } as MergePatch<StoreState>;
  return seeded;
}

/** Where binding `p` of thread `i` lives: a DM, a forum topic, a Discord channel or thread. */
function place(i: number, p: number, random: () => number): { conversation: string; container?: string } {
  const kind = Math.floor(random() * 4);
  const n = i * 3 + p;
  if (kind === 0) return { conversation: `telegram:${500_000_000 + n}` };
  if (kind === 1) {
    const chat = `-100${1_900_000_000 + Math.floor(n / 50)}`;
    return { conversation: `telegram:${chat}:topic:${(n % 50) + 2}`, container: `telegram:${chat}` };
  }
  const guild = `${1_100_000_000_000_000_000n + BigInt(Math.floor(n / 200))}`;
  const channel = `${1_200_000_000_000_000_000n + BigInt(n)}`;
  if (kind === 2) return { conversation: `discord:${guild}:${channel}` };
  return { conversation: `discord:${guild}:${channel}`, container: `discord:${guild}:${BigInt(channel) + 7n}` };
}

function checkpoint(i: number, slug: string, agentId: string, at: number, random: () => number) {
  const calls = random() < 0.5 ? 0 : 1 + Math.floor(random() * 3);
  const toolCalls = Array.from({ length: calls }, (_, c) => ({
    name: TOOLS[(i + c) % TOOLS.length],
    args: { q: `${WORDS[(i + c) % WORDS.length]} figures for week ${c + 1}`, limit: 10 },
    at: at + c * 1000,
  }));
  const last = toolCalls.at(-1);
  return {
    ...{
      sessionKey: encodeSessionKey({ agentId, slug }),
      turnId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    },
    task: `Compare the ${WORDS[i % WORDS.length]} forecast with actuals for thread ${i} and flag anything over 10%.`,
    // A finished turn keeps only its last tool call (Relay drops the list when a turn ends well).
    ...{ toolCalls: [], ...(last ? { lastToolCall: last } : {}), updatedAt: at + 5000, status: "done" },
    ...(random() < 0.3 ? { nextAction: "send the summary to the finance channel" } : {}),
  };
}

function notice(i: number, slug: string, conversation: string, at: number) {
  const turnId = `00000000-0000-4000-9000-${String(i).padStart(12, "0")}`;
  return { id: `n${i}`, kind: "resume", slug, turnId, conversation, bootId: "old", createdAt: at, state: "used" };
}

/** Writes a store file at `path` holding `seeded` (open, one update, close: a compacted snapshot). */
export async function writeSeededStore(path: string, seeded: Seeded): Promise<void> {
  const store = await openJsonStore({ path });
  await store.update(seeded.patch);
  await store.close();
}
