import { expect, type Page } from "@playwright/test";

/** The signed-in frame: main navigation and the user menu. */
export class Shell {
  constructor(private readonly page: Page) {}

  nav() {
    return this.page.getByRole("navigation", { name: "Main" });
  }

  async expectSignedInAs(name: string): Promise<void> {
    await expect(this.nav()).toBeVisible();
    await expect(this.page.getByRole("button", { name: new RegExp(name) })).toBeVisible();
  }

  async openUserMenu(name: string): Promise<void> {
    await this.page.getByRole("button", { name: new RegExp(name) }).click();
    await expect(this.page.getByRole("menu")).toBeVisible();
  }

  async signOut(name: string): Promise<void> {
    await this.openUserMenu(name);
    await this.page.getByRole("menuitem", { name: "Sign out" }).click();
  }
}
