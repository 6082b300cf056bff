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
  retries: 0,
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
