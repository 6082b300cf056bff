import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";

const BROKEN = [
  "apiVersion: v1",
  "kind: ConfigMap",
  "metadata:",
  "  name: {{ params.image | no_such_filter }}",
  "data:",
  "  a: b",
].join("\n");

const body = (page: Page) => page.getByLabel("Body (multi-document YAML, Liquid)");

test("a broken template shows the server's lint marker at the right line", async ({ page }) => {
  await page.goto("/templates/new");
  await body(page).fill(BROKEN);
  await page.getByRole("button", { name: "Check" }).click();
  const field = page.locator('[data-code-field="Body (multi-document YAML, Liquid)"]');
  // The message names line 4; the marker sits in the editor's fourth line, nowhere else.
  await expect(page.getByText(/line 4, column \d+: .*no_such_filter/)).toBeVisible();
  await expect(field.locator(".cm-line").nth(3).locator(".cm-lintRange-error")).toHaveCount(1);
  await expect(field.locator(".cm-lintRange-error")).toHaveCount(1);
  await expect(field.locator(".cm-gutter-lint .cm-lint-marker-error")).toHaveCount(1);
  await expect(body(page)).toHaveAttribute("aria-invalid", "true");
});

test("a schema that is not JSON is marked where the parser stopped", async ({ page }) => {
  await page.goto("/templates/new");
  await page.getByLabel("Parameter schema (JSON Schema)").fill('{\n  "type": "object",\n  "properties": {,\n}');
  await page.getByRole("button", { name: "Check" }).click();
  const field = page.locator('[data-code-field="Parameter schema (JSON Schema)"]');
  await expect(field.locator(".cm-line").nth(2).locator(".cm-lintRange-error")).toHaveCount(1);
});

test("the body completes parameter names from the schema, from the keyboard", async ({ page }) => {
  await page.goto("/templates/new");
  await body(page).fill("value: {{ params.");
  await body(page).press("End");
  await page.keyboard.press("Control+Space");
  const options = page.getByRole("listbox");
  await expect(options.getByRole("option", { name: "image" })).toBeVisible();
  await expect(options.getByRole("option", { name: "replicas" })).toBeVisible();
  // Arrow keys move through the names; Enter takes the selected one.
  await expect(options.getByRole("option", { name: "image" })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("ArrowDown");
  await expect(options.getByRole("option", { name: "replicas" })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  await expect(body(page)).toHaveText("value: {{ params.replicas");
  // Tab leaves the editor for the next field rather than indenting.
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  await expect(body(page)).not.toBeFocused();
});
