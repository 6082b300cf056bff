import { expect, test } from "./support/fixtures";
import { ADMIN } from "./support/paths";

const SECTIONS = ["Overview", "Clusters", "Inventory", "Templates", "Rollouts", "Teams", "Audit"];

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
