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
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.e2e.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // e2e files share ports, a Go build cache and two cores: run them one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
