import { mkdirSync } from "node:fs";
import { test as setup, expect } from "@playwright/test";
import { SetupPage } from "./pages/setup-page";
import { Shell } from "./pages/shell";
import { ADMIN, E2E_STATE_DIR } from "./support/paths";

// Runs first against an empty database: the one-time setup page creates the admin,
// whose signed-in state the other specs reuse.
setup("first run creates the admin through the setup page", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Create the first admin" })).toBeVisible();

  const setupPage = new SetupPage(page);
  // Mismatched confirmation is caught before anything is sent.
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Confirm password").fill("something else entirely");
  await page.getByRole("button", { name: "Create admin and sign in" }).click();
  await expect(page.getByText("Passwords do not match")).toBeVisible();

  await setupPage.createAdmin(ADMIN);
  await expect(page).toHaveURL(/\/overview$/);
  await new Shell(page).expectSignedInAs(ADMIN.name);

  mkdirSync(E2E_STATE_DIR, { recursive: true });
  await page.context().storageState({ path: `${E2E_STATE_DIR}/admin.json` });
});
