import { randomUUID } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import { SignInPage } from "./pages/sign-in-page";
import { api, ensureTestbedClusters } from "./support/api";
import { sql } from "./support/database";
import { expect, test } from "./support/fixtures";

/**
 * The change timeline page over rows written into inventory_changes the way the collectors write
 * them: the list, a filter from the keyboard, an entry's diff, and a team member who sees only
 * the namespace of its grant.
 */

const PASSWORD = "a long enough password";
const MARK = `tl${randomUUID().slice(0, 6)}`;
const MEMBER = `${MARK}-viewer@example.com`;

test.describe.configure({ mode: "serial" });

let ids: Record<string, string> = {};

async function insertChange(row: {
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
  change: string;
  minutesAgo: number;
  healthBefore?: string;
  healthAfter?: string;
  before?: object;
  after?: object;
}) {
  await sql(
    `INSERT INTO inventory_changes
       (cluster_id, kind, uid, namespace, name, change, at, resource_version, health_before, health_after, before, after)
     VALUES ($1, $2, $3, $4, $5, $6, now() - make_interval(mins => $7), $8, $9, $10, $11, $12)`,
    [
      row.cluster,
      row.kind,
      randomUUID(),
      row.namespace,
      row.name,
      row.change,
      row.minutesAgo,
      Math.floor(Math.random() * 1e9),
      row.healthBefore ?? null,
      row.healthAfter ?? null,
      row.before ? JSON.stringify(row.before) : null,
      row.after ? JSON.stringify(row.after) : null,
    ],
  );
}

function signedIn(browser: Browser, email: string): Promise<Page> {
  return SignInPage.asUser(browser, email, PASSWORD);
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ storageState: ".e2e/admin.json" });
  ids = await ensureTestbedClusters(context.request);
  await insertChange({
    cluster: ids["testbed-1"]!,
    kind: "deployments",
    namespace: "team-a",
    name: `${MARK}-web`,
    change: "health",
    minutesAgo: 2,
    healthBefore: "healthy",
    healthAfter: "degraded",
    before: { labels: { app: "web" }, health: "healthy", ready: 3, desired: 3, detail: { images: ["web:1.0"] } },
    after: { labels: { app: "web" }, health: "degraded", ready: 1, desired: 3, detail: { images: ["web:1.1"] } },
  });
  await insertChange({
    cluster: ids["testbed-2"]!,
    kind: "configmaps",
    namespace: "team-b",
    name: `${MARK}-settings`,
    change: "created",
    minutesAgo: 3,
    after: { labels: { app: "settings" }, size: 12, detail: { keys: ["mode"] } },
  });
  await insertChange({
    cluster: ids["testbed-1"]!,
    kind: "configmaps",
    namespace: "team-b",
    name: `${MARK}-flags`,
    change: "deleted",
    minutesAgo: 4,
    before: { labels: {}, size: 40, detail: { keys: ["a", "b"] } },
  });
  // A member of a team that sees testbed-1's team-a only.
  await api(context.request, "POST", "/api/v1/users", { email: MEMBER, name: "Timeline viewer", password: PASSWORD });
  const team = await api<{ team: { id: string } }>(context.request, "POST", "/api/v1/teams", { name: `${MARK}-team` });
  await api(context.request, "POST", `/api/v1/teams/${team.team.id}/members`, { email: MEMBER });
  await api(context.request, "POST", `/api/v1/teams/${team.team.id}/grants`, {
    clusterIds: [ids["testbed-1"]],
    namespaces: ["team-a"],
    level: "view",
    secrets: "none",
  });
  await context.close();
});

test("lists the last hour's changes newest first with cluster, kind, place and health transition", async ({ page }) => {
  await page.goto(`/changes?q=${MARK}`);
  await expect(page.getByRole("heading", { level: 1, name: "Changes" })).toBeVisible();
  const rows = page.getByTestId("change-row");
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId("changes-count")).toHaveText("Showing 3 of 3 changes");
  await expect(rows.nth(0)).toContainText(`team-a / ${MARK}-web`);
  await expect(rows.nth(0)).toContainText("testbed-1");
  await expect(rows.nth(0)).toContainText("Deployment");
  await expect(rows.nth(0)).toContainText("health");
  await expect(rows.nth(0).getByLabel("health healthy to degraded")).toBeVisible();
  await expect(rows.nth(0)).toContainText(/minutes? ago/);
  await expect(rows.nth(1)).toContainText(`team-b / ${MARK}-settings`);
  await expect(rows.nth(1)).toContainText("created");
  await expect(rows.nth(1)).toContainText("testbed-2");
  await expect(rows.nth(2)).toContainText("deleted");
});

test("filters from the keyboard, and the filter lands in the URL", async ({ page }) => {
  await page.goto(`/changes?q=${MARK}`);
  await expect(page.getByTestId("change-row")).toHaveCount(3);
  await page.getByLabel("Clusters").fill("testbed-2");
  await page.getByLabel("Clusters").press("Enter");
  await expect(page).toHaveURL(/clusters=testbed-2/);
  await expect(page.getByTestId("change-row")).toHaveCount(1);
  await expect(page.getByTestId("change-row")).toContainText(`${MARK}-settings`);
  await page.getByLabel("Clusters").fill("");
  await page.getByLabel("Change").selectOption("deleted");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/change=deleted/);
  await expect(page.getByTestId("change-row")).toHaveCount(1);
  await expect(page.getByTestId("change-row")).toContainText(`${MARK}-flags`);
  await page.getByLabel("Name contains").fill(`${MARK}-nothing`);
  await page.getByLabel("Name contains").press("Enter");
  await expect(page.getByRole("heading", { name: "No changes" })).toBeVisible();
});

test("opens an entry's diff: each changed field with before and after", async ({ page }) => {
  await page.goto(`/changes?q=${MARK}-web`);
  const row = page.getByTestId("change-row");
  await expect(row).toHaveCount(1);
  const toggle = row.getByRole("button", { name: "Diff (3)" });
  await toggle.focus();
  await page.keyboard.press("Enter");
  await expect(row.getByRole("button", { name: "Hide diff" })).toHaveAttribute("aria-expanded", "true");
  const entries = page.getByTestId("diff-entry");
  await expect(entries).toHaveCount(3);
  await expect(entries.nth(0)).toContainText("health");
  await expect(entries.nth(0)).toContainText("healthy");
  await expect(entries.nth(0)).toContainText("degraded");
  await expect(entries.nth(1)).toContainText("ready");
  await expect(entries.nth(2)).toContainText("detail.images.0");
  await expect(entries.nth(2)).toContainText("web:1.0");
  await expect(entries.nth(2)).toContainText("web:1.1");
});

test("a team member sees only the namespace its grant covers, and the count says so", async ({ browser }) => {
  const page = await signedIn(browser, MEMBER);
  await page.goto(`/changes?q=${MARK}`);
  await expect(page.getByTestId("change-row")).toHaveCount(1);
  await expect(page.getByTestId("change-row")).toContainText(`${MARK}-web`);
  await expect(page.getByTestId("changes-count")).toHaveText("Showing 1 of 1 changes");
  await expect(page.locator("body")).not.toContainText("testbed-2");
  await page.context().close();
});

test("a refused range is shown with the field's reason", async ({ page }) => {
  await page.goto("/changes?range=custom&from=2026-01-01T00:00&to=2025-01-01T00:00");
  await expect(page.getByRole("alert").filter({ hasText: "could not be loaded" })).toContainText(
    "to: to must not be before from",
  );
});
