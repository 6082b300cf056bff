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
          // Files share one database (and the testbed clusters): run them one at a time.
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
