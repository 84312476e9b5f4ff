import { defineConfig } from "vitest/config";

// Two projects on Node: fast unit/contract tests, and end-to-end tests that
// run the real go command, git and sshd. The Workers project (workerd) lives
// in vitest.workers.config.ts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/contract/**/*.node.test.ts"],
          // A deadline against hangs, not a speed limit: vitest's 5 s default fails tests that
          // take 1-2 s alone once a busy two-core machine runs them at half speed.
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.e2e.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // expect.poll waits for a server's log line or metric: 1 s by default, too short for a
          // reload or a fork on a busy machine. Waiting longer costs nothing when it comes at once.
          expect: { poll: { timeout: 30_000 } },
          // e2e files share ports, a Go build cache and two cores: run them one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
