/**
 * Memory of another process from /proc (Linux): its RSS, its high-water mark (VmHWM), resetting that mark,
 * and a sampler that reads VmRSS every few milliseconds. MB = 1e6 bytes, as in the other sections.
 */
import { readFile, writeFile } from "node:fs/promises";

/** VmRSS and VmHWM of a process, in MB; undefined when it is gone. */
export async function memoryOf(pid: number): Promise<{ rss: number; hwm: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return { rss: (kb("VmRSS") * 1024) / 1e6, hwm: (kb("VmHWM") * 1024) / 1e6 };
  } catch {
    return undefined;
  }
}

/** Resets the process's VmHWM to its current RSS (`echo 5 > clear_refs`); false when not permitted. */
export async function resetPeak(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Reads VmRSS every `everyMs` until stopped; resolves with the largest value seen (MB) and the count. */
export function sampleRss(pid: number, everyMs: number): { stop(): Promise<{ max: number; samples: number }> } {
  let max = 0;
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const memory = await memoryOf(pid);
      if (memory) {
        samples++;
        max = Math.max(max, memory.rss);
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { max, samples };
    },
  };
}
