import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.resolve(__dirname);
const ignored = [
  "**/node_modules/**",
  "**/.next/**",
  "e2e/**",
  ".data/**",
  ".testbed/**",
  ".e2e/**",
  "testbed/.cache/**",
];

export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      // `server-only` guards bundles; tests run on the server by definition.
      "server-only": path.join(root, "lib/cli/server-only-noop.ts"),
    },
  },
  test: {
    environment: "node",
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" },
    // One test file at a time, in every project: a per-project limit is not configurable, the
    // integration files must not overlap, and on the 2-core machines we run on vitest would
    // use a single worker for the unit files anyway.
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["**/*.test.ts", "**/*.test.tsx"],
          exclude: [...ignored, "**/*.int.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude: ignored,
          globalSetup: ["lib/testing/integration-global-setup.ts"],
          setupFiles: ["lib/testing/integration-setup.ts"],
          // Each file runs in a fresh process (isolate) on its own database (integration-setup.ts),
          // so nothing in memory or in Postgres carries from one file to the next. Files run one
          // at a time (fileParallelism above): they share the testbed clusters, and some inject
          // faults into them.
          pool: "forks",
          poolOptions: { forks: { isolate: true, singleFork: false } },
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
