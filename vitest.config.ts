import { defineConfig } from "vitest/config";

/** The core's tests that reach threads by conversation, name, session key and listing. */
const FORGETFUL = [
  "approvals",
  "bot-restart",
  "commands",
  "conversation-move",
  "model-usage",
  "recap-export",
  "resume",
  "subcommands",
  "thread-archived",
  "thread-rename-fork",
  "thread-reset-delete",
].map((name) => `test/core/${name}.test.ts`);

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**"],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          // The core's thread flows again, on a store that forgets every thread before each entry point
          // (test/store/forgetful-store.ts): a read the core did not load first fails here.
          name: "unit-forgetful",
          include: FORGETFUL,
          env: { TK_TEST_STORE: "forgetful" },
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.e2e.test.ts"],
          // One real gateway is ~1 GiB and 9 s to start: files run one at a time.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
          globalSetup: ["test/e2e/harness/global-setup.ts"],
        },
      },
    ],
  },
});
