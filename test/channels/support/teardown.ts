import { afterEach } from "vitest";

const cleanups: (() => Promise<void>)[] = [];

/**
 * Runs `cleanup` after the current test (the latest registered first), so a test that starts a
 * fake and a channel cannot leave them running, whether it passes or fails.
 */
export function afterThisTest(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

afterEach(async () => {
  // Every cleanup runs even when one fails (its checks are expectations), so nothing leaks into the next test.
  const failures: unknown[] = [];
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((error: unknown) => failures.push(error));
  }
  if (failures.length > 0) throw failures[0];
});
