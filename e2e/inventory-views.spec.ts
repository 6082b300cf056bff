import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import type { InventoryViewView } from "../lib/api/inventory-view-types";
import { api } from "./support/api";
import { expect, test } from "./support/fixtures";

/** Saved inventory views in the real app: save the filters on screen, pick one, refuse a duplicate name, delete. */

const views = async (page: Page) =>
  (await api<{ views: InventoryViewView[] }>(page.context().request, "GET", "/api/v1/inventory/views")).views;

test("save the current filters as a view, pick it, refuse a duplicate name, delete it", async ({ page }) => {
  // A new name each run: the database outlives a run.
  const name = `public configmaps ${randomUUID().slice(0, 8)}`;
  await page.goto("/inventory");
  await page.getByRole("tab", { name: "ConfigMaps" }).click();
  await page.getByLabel("Namespace", { exact: true }).fill("kube-public");
  await expect(page).toHaveURL(/namespace=kube-public/);

  await page.getByRole("button", { name: "Save view…" }).click();
  await page.getByLabel("View name").fill(name);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByLabel("Saved view")).toHaveValue(/.+/);
  const saved = (await views(page)).find((view) => view.name === name);
  expect(saved?.filters).toMatchObject({ view: "configmaps", namespace: "kube-public" });

  // Picking it on a clean page brings every filter back, the text fields included.
  await page.goto("/inventory");
  await expect(page.getByLabel("Namespace", { exact: true })).toHaveValue("");
  await page.getByLabel("Saved view").selectOption({ label: name });
  await expect(page).toHaveURL(/view=configmaps/);
  await expect(page).toHaveURL(/namespace=kube-public/);
  await expect(page.getByLabel("Namespace", { exact: true })).toHaveValue("kube-public");
  await expect(page.getByRole("tab", { name: "ConfigMaps" })).toHaveAttribute("aria-selected", "true");

  // The same name again: refused at the field, nothing saved.
  const before = (await views(page)).length;
  await page.getByRole("button", { name: "Save view…" }).click();
  await page.getByLabel("View name").fill(name);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText(`You already have a view named "${name}"`)).toBeVisible();
  await expect(page.getByLabel("View name")).toHaveAttribute("aria-invalid", "true");
  expect((await views(page)).length).toBe(before);
  await page.getByRole("button", { name: "Cancel" }).click();

  // Delete, after a confirmation.
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Delete view" }).click();
  await expect(page.getByLabel("Saved view").locator("option", { hasText: name })).toHaveCount(0);
  expect((await views(page)).some((view) => view.name === name)).toBe(false);
});
