import { expect, type Browser, type Page } from "@playwright/test";

export class SignInPage {
  constructor(private readonly page: Page) {}

  /** A fresh browser context (no stored session) signed in as the given user. */
  static async asUser(browser: Browser, email: string, password: string): Promise<Page> {
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const page = await context.newPage();
    const signIn = new SignInPage(page);
    await signIn.goto();
    await signIn.signIn(email, password);
    await expect(page).toHaveURL(/\/overview$/);
    return page;
  }

  async goto(): Promise<void> {
    await this.page.goto("/sign-in");
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  async expectVisible(): Promise<void> {
    await expect(this.page).toHaveURL(/\/sign-in/);
    await expect(this.page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  }

  /** The form's own alert (Next.js adds a route announcer with the same role). */
  alert() {
    return this.page.locator("form").getByRole("alert");
  }
}
