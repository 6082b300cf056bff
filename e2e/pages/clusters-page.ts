import { expect, type Page } from "@playwright/test";

export class ClustersPage {
  constructor(private readonly page: Page) {}

  async goto(query = ""): Promise<void> {
    await this.page.goto(`/clusters${query}`);
    await expect(this.page.getByRole("heading", { level: 1, name: "Clusters" })).toBeVisible();
  }

  row(name: string) {
    return this.page.getByTestId(`cluster-row-${name}`);
  }

  async expectStatus(
    name: string,
    status: "Reachable" | "Unreachable" | "Never checked",
    timeout = 30_000,
  ): Promise<void> {
    await expect(this.row(name)).toContainText(status, { timeout });
  }
}
