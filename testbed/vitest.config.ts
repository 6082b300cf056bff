/**
 * Standalone config for the testbed's own proof tests:
 *   npx vitest run --config testbed/vitest.config.ts
 * The repository's root config runs the same files in its integration project.
 */
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The repository root, so vitest's cache lands in the root node_modules.
    root: path.resolve(__dirname, ".."),
    include: ["testbed/test/**/*.int.test.ts"],
    environment: "node",
    // The files share the same clusters; the fault tests must not overlap
    // with tests that need those clusters healthy.
    pool: "forks",
    poolOptions: { forks: { singleFork: true } },
    testTimeout: 90_000,
    // The first start may build Kubernetes: minutes on a cold Go cache.
    hookTimeout: 15 * 60_000,
  },
});
