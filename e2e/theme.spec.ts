import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";

/** The key next-themes stores the choice under (components/providers.tsx). */
const STORAGE_KEY = "archipelago-theme";

/** Relative luminance of the body's computed background, 0 (black) to 1 (white). */
async function bodyLuminance(page: Page): Promise<number> {
  return page.evaluate(() => {
    const probe = document.createElement("canvas").getContext("2d")!;
    // The canvas normalises any CSS color (Tailwind 4 uses oklch) to sRGB.
    probe.fillStyle = getComputedStyle(document.body).backgroundColor;
    probe.fillRect(0, 0, 1, 1);
    const [r, g, b] = Array.from(probe.getImageData(0, 0, 1, 1).data).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  });
}

/**
 * Records the <html> class when the first visible element (not a script, not hidden) is parsed
 * into <body>, i.e. before the first paint that could show the wrong theme.
 */
async function watchFirstPaint(page: Page) {
  await page.addInitScript(() => {
    const observer = new MutationObserver(() => {
      // (Next.js opens <body> with a hidden metadata holder: not painted, so not counted.)
      if (!document.body?.querySelector(":not(script, [hidden], [hidden] *)")) return;
      (window as unknown as { themeAtBody: string }).themeAtBody = document.documentElement.className;
      observer.disconnect();
    });
    observer.observe(document, { childList: true, subtree: true });
  });
}

const themeAtBody = (page: Page) => page.evaluate(() => (window as unknown as { themeAtBody?: string }).themeAtBody);

test("the theme follows the system setting until a choice is made", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await watchFirstPaint(page);
  await page.goto("/overview");
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  expect(await themeAtBody(page)).toMatch(/\bdark\b/);
  expect(await bodyLuminance(page)).toBeLessThan(0.05);
  await expect(page.getByLabel("Theme")).toHaveValue("system");

  // The system setting changes while the page is open: the page follows it.
  await page.emulateMedia({ colorScheme: "light" });
  await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
  expect(await bodyLuminance(page)).toBeGreaterThan(0.8);
});

test("the switch overrides the system setting and is remembered in this browser", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await watchFirstPaint(page);
  await page.goto("/clusters");
  await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);

  await page.getByLabel("Theme").selectOption("dark");
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  expect(await page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY)).toBe("dark");
  await expect.poll(() => bodyLuminance(page)).toBeLessThan(0.05);

  // Remembered: a new load (another page, the system still light) is dark from the first paint.
  await page.goto("/inventory");
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  expect(await themeAtBody(page)).toMatch(/\bdark\b/);
  await expect(page.getByLabel("Theme")).toHaveValue("dark");

  // Light wins over a dark system; "System" hands control back.
  await page.emulateMedia({ colorScheme: "dark" });
  await page.getByLabel("Theme").selectOption("light");
  await page.reload();
  await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
  expect(await themeAtBody(page)).not.toMatch(/\bdark\b/);
  await page.getByLabel("Theme").selectOption("system");
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  expect(await page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY)).toBe("system");
});
