import { existsSync } from "node:fs";

/**
 * The Chromium the browser tests use: CHROMIUM_PATH, else Debian's /usr/bin/chromium
 * (browsers cannot be downloaded on our machines), else none, meaning Playwright's own
 * (`npx playwright install chromium`). `npm test` finds or installs one before the tests
 * start (lib/cli/steps/prepare-browser.ts) and passes it on as CHROMIUM_PATH.
 */
export function systemChromium(): string | undefined {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ["/usr/bin/chromium"];
  return candidates.find((candidate) => existsSync(candidate));
}

/** Without the background-networking flags Chromium floods a closed network with refused connections. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function chromiumLaunchOptions(): { executablePath?: string; args?: string[] } {
  const executablePath = systemChromium();
  return executablePath ? { executablePath, args: CHROMIUM_ARGS } : {};
}
