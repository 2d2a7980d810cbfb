import { link, open, rename, rm } from "node:fs/promises";
import { BotError, ErrorCode } from "../core/errors.ts";
import { hasCode, readTextIfExists } from "./durable-fs.ts";

/**
 * `<store>.lock` holds the pid of the process that has the store open, created with
 * O_EXCL ('wx') so two processes can never both create it. A lock whose pid is dead is
 * stale (the holder crashed) and is taken over. Our own pid in a lock this process
 * does not hold means a previous incarnation with the same pid, as in a container
 * where the bot is always pid 1. A live holder gets a grace period to let go, because
 * a bot restarted right after Ctrl-C starts while the old one is still writing its
 * last snapshot.
 */

/** Lock paths this process holds; opening the same store twice in one process is refused too. */
const heldHere = new Set<string>();

/** A held store lock. */
export interface StoreLock {
  /** Removes the lock file (if it is still ours). */
  release(): Promise<void>;
}

/** What the lock needs from the operating system; injected so tests can script processes and time. */
export interface LockSystem {
  /** `kill(pid, 0)`: true when a process with this pid exists, zombies included. */
  processExists(pid: number): boolean;
  /** The text of `/proc/<pid>/stat`, or null where there is none (no such process, or not Linux). */
  readProcStat(pid: number): Promise<string | null>;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** A monotonic clock in milliseconds, for the grace period. */
  monotonic(): number;
}

/** The real system. */
export const osLockSystem: LockSystem = {
  processExists(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return hasCode(error, "EPERM"); // exists, but belongs to another user
    }
  },
  readProcStat: (pid) => readTextIfExists(`/proc/${pid}/stat`).catch(() => null),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  monotonic: () => performance.now(),
};

/** How long a live holder gets to release the lock before we refuse. */
export const LOCK_WAIT_MS = 15_000;
/** How often the lock is looked at again while waiting. */
const POLL_MS = 100;
/** Attempts before giving up when other processes keep racing us for a stale lock. */
const ATTEMPTS = 5;

/** Options of acquireLock. */
export interface AcquireLockOptions {
  lockPath: string;
  storePath: string;
  /** Wall clock for the lock's timestamp. */
  now: () => number;
  /** Grace period for a live holder (default LOCK_WAIT_MS; 0 refuses at once). */
  waitMs?: number | undefined;
  /** Told once, in words, when we start waiting for a live holder. */
  onWait?: ((message: string) => void) | undefined;
  system?: LockSystem | undefined;
}

/** What a lock file says. */
interface Holder {
  text: string;
  pid: number | undefined;
  since: number | undefined;
}

/** Everything one acquisition works with. */
interface Attempt {
  lockPath: string;
  storePath: string;
  system: LockSystem;
  waitMs: number;
  onWait: (message: string) => void;
  /** What our lock file says. */
  text: string;
  /** On `system.monotonic()`: when a live holder has had its grace period. */
  deadline: number;
  /** onWait was told. */
  waited: boolean;
}

/**
 * Takes the lock for `storePath`, waiting up to `waitMs` for a live holder to release
 * it; throws BotError(CONFIG) naming the file and the holder's pid.
 */
export async function acquireLock(options: AcquireLockOptions): Promise<StoreLock> {
  const { lockPath, storePath } = options;
  if (heldHere.has(lockPath)) throw lockedError(storePath, lockPath, { pid: process.pid, since: undefined }, 0);
  // Claimed before the first await, so a second open in this process can never take it over.
  heldHere.add(lockPath);
  try {
    const system = options.system ?? osLockSystem;
    const waitMs = options.waitMs ?? LOCK_WAIT_MS;
    const text = JSON.stringify({ pid: process.pid, since: options.now() });
    const deadline = system.monotonic() + waitMs;
    const onWait = options.onWait ?? noop;
    await createLockFile({ lockPath, storePath, system, waitMs, onWait, text, deadline, waited: false });
    return { release: () => release(lockPath, text) };
  } catch (error) {
    heldHere.delete(lockPath);
    throw error;
  }
}

function noop(): void {}

async function createLockFile(attempt: Attempt): Promise<void> {
  const { lockPath, storePath } = attempt;
  // Waiting for a live holder is bounded by the deadline, so only the races count as attempts.
  for (let races = 0; races < ATTEMPTS; ) {
    if (await tryCreate(lockPath, attempt.text)) return;
    const holder = await readHolder(lockPath, attempt.system);
    if (holder !== undefined && holder.pid !== undefined && (await isAlive(holder.pid, attempt.system))) {
      if (!(await waitForChange(attempt, holder))) throw lockedError(storePath, lockPath, holder, attempt.waitMs);
      continue;
    }
    if (holder !== undefined) await takeOver(lockPath, holder.text); // else removed meanwhile
    races++;
  }
  throw new BotError(ErrorCode.Config, `Could not lock ${storePath}: other processes keep taking ${lockPath}.`);
}

/**
 * Waits, until the deadline, for the lock to change: removed, rewritten by another
 * process, or left behind by a holder that died. False when the deadline passed first.
 */
async function waitForChange(attempt: Attempt, holder: Holder): Promise<boolean> {
  const { system } = attempt;
  if (system.monotonic() >= attempt.deadline) return false;
  if (!attempt.waited) {
    attempt.waited = true;
    attempt.onWait(
      `Store ${attempt.storePath} is open in process ${holder.pid}; ` +
        `waiting up to ${duration(attempt.waitMs)} for it to close.`,
    );
  }
  while (system.monotonic() < attempt.deadline) {
    await system.sleep(Math.min(POLL_MS, attempt.deadline - system.monotonic()));
    if ((await readTextIfExists(attempt.lockPath)) !== holder.text) return true;
    if (holder.pid !== undefined && !(await isAlive(holder.pid, system))) return true;
  }
  return false;
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
async function readHolder(lockPath: string, system: LockSystem): Promise<Holder | undefined> {
  let text = await readTextIfExists(lockPath);
  if (text === "") {
    await system.sleep(50);
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

/**
 * A zombie (exited, not yet reaped by its parent) still answers `kill(pid, 0)` but
 * will never release the lock, so it counts as dead.
 */
async function isAlive(pid: number, system: LockSystem): Promise<boolean> {
  if (pid === process.pid) return false; // not in heldHere: a previous process that had our pid
  if (!system.processExists(pid)) return false;
  const stat = await system.readProcStat(pid);
  const state = stat === null ? undefined : procState(stat);
  return state !== "Z" && state !== "X";
}

/**
 * The state letter of a `/proc/<pid>/stat` line (`R`, `S`, `Z`, …), or undefined when
 * the line is not one. The command name in parentheses may itself hold spaces and
 * parentheses, so the state is read after the last `)`.
 */
export function procState(stat: string): string | undefined {
  const close = stat.lastIndexOf(")");
  if (close < 0) return undefined;
  return /^ ([A-Za-z]) /.exec(stat.slice(close + 1))?.[1];
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

function lockedError(storePath: string, lockPath: string, holder: Omit<Holder, "text">, waitedMs: number): BotError {
  const who = holder.pid === process.pid ? "this process" : `process ${holder.pid ?? "(unknown pid)"}`;
  const since = holder.since === undefined ? "" : ` since ${new Date(holder.since).toISOString()}`;
  const waited = waitedMs > 0 ? ` and did not close within ${duration(waitedMs)}` : "";
  return new BotError(
    ErrorCode.Config,
    `Store ${storePath} is already open in ${who}${since}${waited} (lock file ${lockPath}). ` +
      "Two bots must not share one store: stop the other one, or give this one its own STORE_PATH. " +
      `If no such process is a threadkeeper, delete ${lockPath}.`,
    { details: { storePath, lockPath, pid: holder.pid } },
  );
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
