import type { Page } from "@playwright/test";

export class SetupPage {
  constructor(private readonly page: Page) {}

  async createAdmin(admin: { name: string; email: string; password: string }): Promise<void> {
    await this.page.getByLabel("Name").fill(admin.name);
    await this.page.getByLabel("Email").fill(admin.email);
    await this.page.getByLabel("Password", { exact: true }).fill(admin.password);
    await this.page.getByLabel("Confirm password").fill(admin.password);
    await this.page.getByRole("button", { name: "Create admin and sign in" }).click();
  }
}
