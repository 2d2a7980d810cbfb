/** Small statistics helpers for the benchmarks: percentiles, medians, rounding. */

/** The `p` quantile (0..1) of `samples` by nearest rank; NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** The median of `samples`. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 0.5);
}

/** Rounds to `digits` decimals (keeps null/NaN as null for JSON). */
export function round(value: number | null | undefined, digits = 3): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Resident set size of this process in MB (1e6 bytes). */
export function rssMb(): number {
  return process.memoryUsage().rss / 1e6;
}

/** Resident set size of another process in MB, read from /proc (Linux); undefined if it is gone. */
export async function rssOfPid(pid: number): Promise<number | undefined> {
  const { readFile } = await import("node:fs/promises");
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] ? (Number(match[1]) * 1024) / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` every `everyMs` until it is true; rejects after `timeoutMs` naming `what`. */
export async function until(probe: () => boolean, what: string, timeoutMs = 30_000, everyMs = 10): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!probe()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
