import { expect, test } from "./support/fixtures";
import { ensureTestbedClusters } from "./support/api";
import { ADMIN } from "./support/paths";

const SECTIONS = [
  "Overview",
  "Clusters",
  "Inventory",
  "Changes",
  "Templates",
  "Rollouts",
  "Notifications",
  "Teams",
  "Change control",
  "Audit",
];

test("the signed-in shell reaches every section and marks the current one", async ({ page, shell }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/overview$/);
  await shell.expectSignedInAs(ADMIN.name);
  for (const section of SECTIONS) {
    await shell.nav().getByRole("link", { name: section }).click();
    await expect(page.getByRole("heading", { level: 1, name: section })).toBeVisible();
    await expect(shell.nav().getByRole("link", { name: section })).toHaveAttribute("aria-current", "page");
  }
});

test("every section has its real content, with a way to start", async ({ page }) => {
  await page.goto("/templates");
  await expect(page.getByRole("link", { name: "New template" }).first()).toBeVisible();
  await page.goto("/rollouts");
  await expect(page.getByRole("link", { name: "New rollout" }).first()).toBeVisible();
});

test("the user menu works from the keyboard", async ({ page }) => {
  await page.goto("/clusters");
  const trigger = page.getByRole("button", { name: new RegExp(ADMIN.name) });
  await trigger.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menu")).toBeVisible();
  await expect(page.getByRole("menu")).toContainText(ADMIN.email);
  await expect(page.getByRole("menu")).toContainText("Administrator");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("menu")).toBeHidden();
});

test("unknown pages answer 404 with a way back", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("keyboard shortcuts: ? for help, / to search, j and k through the list", async ({ page }) => {
  await ensureTestbedClusters(page.request);
  await page.goto("/clusters");
  await expect(page.locator("main table tbody tr").first()).toBeVisible();
  await page.locator("body").press("?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toBeVisible();
  await expect(help).toContainText("Next row of the list");
  await page.keyboard.press("Escape");
  await expect(help).toBeHidden();

  await page.locator("body").press("/");
  await expect(page.getByLabel("Name contains")).toBeFocused();
  // Typed into the field, "j" is a letter, not a shortcut.
  await page.keyboard.type("j");
  await expect(page.getByLabel("Name contains")).toHaveValue("j");
  await page.getByLabel("Name contains").fill("");

  await page.locator("body").click({ position: { x: 1, y: 1 } });
  const rows = page.locator("main table tbody tr");
  await page.keyboard.press("j");
  await expect(rows.nth(0).locator("a").first()).toBeFocused();
  await page.keyboard.press("j");
  await expect(rows.nth(1).locator("a").first()).toBeFocused();
  await page.keyboard.press("k");
  await expect(rows.nth(0).locator("a").first()).toBeFocused();
});
