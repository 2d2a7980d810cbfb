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
