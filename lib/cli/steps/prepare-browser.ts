import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";
import { CHROMIUM_ARGS, systemChromium } from "@/lib/testing/chromium";
import { canUseApt, aptInstall } from "./system-packages";

/** A Chromium that starts, or the one line that says what to do. */
export type BrowserResult = { ok: true; executablePath: string } | { ok: false; problem: string };

const INSTALL_HINT =
  "install Chromium (Debian/Ubuntu: `apt-get install chromium`; elsewhere: `npx playwright install chromium`) or set CHROMIUM_PATH to a Chromium binary";

/**
 * Finds a Chromium for the browser tests, in the order the machines we run on need:
 * CHROMIUM_PATH or Debian's /usr/bin/chromium; as root on Debian, apt-get installs it (Playwright's
 * download host is unreachable there); else Playwright's own browser, installed by its CLI when
 * missing. Then it is started once, so a browser that cannot run is one clear line here instead
 * of every browser test failing on its own.
 */
export async function prepareBrowser(): Promise<BrowserResult> {
  const found = await findOrInstall();
  if (!found.ok) return found;
  try {
    const browser = await chromium.launch({
      executablePath: found.executablePath,
      args: CHROMIUM_ARGS,
      timeout: 60_000,
    });
    await browser.close();
    return found;
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    return {
      ok: false,
      problem: `Chromium at ${found.executablePath} cannot start (${reason}); run \`${found.executablePath} --headless --no-sandbox --dump-dom about:blank\` to see why, or ${INSTALL_HINT}`,
    };
  }
}

async function findOrInstall(): Promise<BrowserResult> {
  const system = systemChromium();
  if (system) return { ok: true, executablePath: system };
  if (process.env.CHROMIUM_PATH)
    return { ok: false, problem: `CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist; ${INSTALL_HINT}` };

  if (canUseApt()) {
    console.log("prepare: installing Debian's chromium with apt-get (Playwright cannot download browsers here)");
    if (aptInstall(["chromium", "fonts-liberation"]) && systemChromium())
      return { ok: true, executablePath: systemChromium()! };
    return { ok: false, problem: `apt-get could not install chromium (see its output above); ${INSTALL_HINT}` };
  }

  const bundled = chromium.executablePath();
  if (existsSync(bundled)) return { ok: true, executablePath: bundled };
  console.log("prepare: installing Playwright's Chromium (npx playwright install chromium)");
  const installed = spawnSync(process.execPath, [require.resolve("@playwright/test/cli"), "install", "chromium"], {
    stdio: "inherit",
    timeout: 15 * 60_000,
  });
  if (installed.status === 0 && existsSync(bundled)) return { ok: true, executablePath: bundled };
  return { ok: false, problem: `Playwright could not download Chromium (see its output above); ${INSTALL_HINT}` };
}
