import { defineConfig, devices } from "@playwright/test";
import { chromiumLaunchOptions } from "./lib/testing/chromium";
import { E2E_BASE_URL, E2E_STATE_DIR } from "./e2e/support/paths";

const launchOptions = chromiumLaunchOptions();

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  // One retry on CI, where the 2-core machine runs the clusters, the app and Chromium at once;
  // a test that needed it is named in the summary ("passed only on retry"), not hidden.
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [["list"], ["json"]] : [["list"]],
  use: {
    baseURL: E2E_BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions,
  },
  projects: [
    { name: "first-run", testMatch: /first-run\.setup\.ts/, use: { ...devices["Desktop Chrome"], launchOptions } },
    {
      name: "chromium",
      testMatch: /.*\.spec\.ts/,
      dependencies: ["first-run"],
      use: { ...devices["Desktop Chrome"], launchOptions, storageState: `${E2E_STATE_DIR}/admin.json` },
    },
  ],
  webServer: {
    command: "npx tsx --tsconfig tsconfig.scripts.json e2e/support/serve.ts",
    url: `${E2E_BASE_URL}/api/v1/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
  },
});
