import { link, open, rename, rm } from "node:fs/promises";
import { BotError, ErrorCode } from "../core/errors.ts";
import { hasCode, readTextIfExists } from "./durable-fs.ts";

/**
 * `<store>.lock` holds the pid of the process that has the store open, created with
 * O_EXCL ('wx') so two processes can never both create it. A lock whose pid is dead is
 * stale (the holder crashed) and is taken over. Our own pid in a lock this process
 * does not hold means a previous incarnation with the same pid, as in a container
 * where the bot is always pid 1.
 */

/** Lock paths this process holds; opening the same store twice in one process is refused too. */
const heldHere = new Set<string>();

/** A held store lock. */
export interface StoreLock {
  /** Removes the lock file (if it is still ours). */
  release(): Promise<void>;
}

/** What a lock file says. */
interface Holder {
  text: string;
  pid: number | undefined;
  since: number | undefined;
}

/** Attempts before giving up when other processes keep racing us for a stale lock. */
const ATTEMPTS = 5;

/** Takes the lock for `storePath`, or throws BotError(CONFIG) naming the file and the holder's pid. */
export async function acquireLock(params: {
  lockPath: string;
  storePath: string;
  now: () => number;
}): Promise<StoreLock> {
  const { lockPath, storePath } = params;
  if (heldHere.has(lockPath)) throw lockedError(storePath, lockPath, { pid: process.pid, since: undefined });
  // Claimed before the first await, so a second open in this process can never take it over.
  heldHere.add(lockPath);
  try {
    const text = JSON.stringify({ pid: process.pid, since: params.now() });
    await createLockFile(lockPath, storePath, text);
    return { release: () => release(lockPath, text) };
  } catch (error) {
    heldHere.delete(lockPath);
    throw error;
  }
}

async function createLockFile(lockPath: string, storePath: string, text: string): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await tryCreate(lockPath, text)) return;
    const holder = await readHolder(lockPath);
    if (holder === undefined) continue; // removed meanwhile
    if (holder.pid !== undefined && isAlive(holder.pid)) throw lockedError(storePath, lockPath, holder);
    await takeOver(lockPath, holder.text);
  }
  throw new BotError(ErrorCode.Config, `Could not lock ${storePath}: other processes keep taking ${lockPath}.`);
}

async function tryCreate(lockPath: string, text: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, "wx");
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if (hasCode(error, "EEXIST")) return false;
    throw error;
  }
}

/** Reads the lock; an empty one may be mid-creation by another process, so it gets one more look. */
async function readHolder(lockPath: string): Promise<Holder | undefined> {
  let text = await readTextIfExists(lockPath);
  if (text === "") {
    await new Promise((resolve) => setTimeout(resolve, 50));
    text = await readTextIfExists(lockPath);
  }
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as { pid?: unknown; since?: unknown };
    const pid = Number.isSafeInteger(value.pid) ? (value.pid as number) : undefined;
    return { text, pid, since: typeof value.since === "number" ? value.since : undefined };
  } catch {
    return { text, pid: undefined, since: undefined };
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false; // not in heldHere: a previous process that had our pid
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return hasCode(error, "EPERM"); // exists, but belongs to another user
  }
}

/**
 * Removes a stale lock without racing another taker: move it aside under a name only
 * we use, and if what we moved is no longer the stale lock we read (someone took over
 * in between), put it back.
 */
async function takeOver(lockPath: string, staleText: string): Promise<void> {
  const aside = `${lockPath}.${process.pid}.stale`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if (hasCode(error, "ENOENT")) return;
    throw error;
  }
  if ((await readTextIfExists(aside)) !== staleText) {
    await link(aside, lockPath).catch((error: unknown) => {
      if (!hasCode(error, "EEXIST")) throw error;
    });
  }
  await rm(aside, { force: true });
}

async function release(lockPath: string, text: string): Promise<void> {
  heldHere.delete(lockPath);
  if ((await readTextIfExists(lockPath)) === text) await rm(lockPath, { force: true });
}

function lockedError(storePath: string, lockPath: string, holder: Omit<Holder, "text">): BotError {
  const who = holder.pid === process.pid ? "this process" : `process ${holder.pid ?? "(unknown pid)"}`;
  const since = holder.since === undefined ? "" : ` since ${new Date(holder.since).toISOString()}`;
  return new BotError(
    ErrorCode.Config,
    `Store ${storePath} is already open in ${who}${since} (lock file ${lockPath}). ` +
      "Two bots must not share one store: stop the other one, or give this one its own STORE_PATH. " +
      `If no such process is a threadkeeper, delete ${lockPath}.`,
    { details: { storePath, lockPath, pid: holder.pid } },
  );
}
