import { test as base, type Page } from "@playwright/test";
import { SetupPage } from "../pages/setup-page";
import { Shell } from "../pages/shell";
import { SignInPage } from "../pages/sign-in-page";

interface Fixtures {
  /** A page in a fresh browser context with no saved sign-in. */
  anonymousPage: Page;
  signInPage: SignInPage;
  setupPage: SetupPage;
  shell: Shell;
}

export const test = base.extend<Fixtures>({
  anonymousPage: async ({ browser }, use) => {
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const page = await context.newPage();
    await use(page);
    await context.close();
  },
  signInPage: async ({ anonymousPage }, use) => use(new SignInPage(anonymousPage)),
  setupPage: async ({ anonymousPage }, use) => use(new SetupPage(anonymousPage)),
  shell: async ({ page }, use) => use(new Shell(page)),
});

export { expect } from "@playwright/test";
