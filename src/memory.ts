/**
 * One full garbage collection right after the store is loaded, when the process runs with `--expose-gc`
 * (`npm start` does; tests do not, and then this does nothing).
 *
 * Why: the snapshot is read into one string (86 MB at 100,000 threads) that Node keeps outside the JS heap,
 * and V8 frees it only at its next full collection. An idle bot may not reach one for hours: measured, the
 * bot's RSS stayed 90 MB above what it holds for as long as we watched (bench/README.md, store).
 */
export function releaseLoadGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * One young-generation collection (about 0.03 ms), when the process runs with `--expose-gc`.
 *
 * Why: a download arrives as 64 KiB buffers held outside the JS heap; their wrappers die young but
 * nothing allocates enough on the heap to trigger a scavenge, so a 10 MB file left 16 MB of them alive
 * until its end (bench/README.md, attachments). Called once per piece of a file written or encoded,
 * they go as they came.
 */
export function releaseYoungGarbage(): void {
  (globalThis as { gc?: (options: { type: "minor" }) => void }).gc?.({ type: "minor" });
}
