import { randomUUID } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { api, ensureTestbedClusters } from "./support/api";
import { expect, test } from "./support/fixtures";

/**
 * Every page of the app through axe-core in the real browser: no serious or critical
 * violation of WCAG 2.1 A/AA. Pages with an id use the first such thing the API lists,
 * created when there is none.
 */

interface Listed<T> {
  [key: string]: T[];
}

async function pages(page: Page): Promise<string[]> {
  const request = page.context().request;
  const clusters = await ensureTestbedClusters(request);
  let templates = (await api<Listed<{ id: string }>>(request, "GET", "/api/v1/templates")).templates ?? [];
  if (templates.length === 0) {
    await api(request, "POST", "/api/v1/templates", {
      name: "axe-template",
      description: "",
      schema: { type: "object", properties: { image: { type: "string", default: "nginx:1.27" } } },
      // A new name each run: the clusters outlive the database, and one owner per object refuses an old one.
      body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: axe-${randomUUID().slice(0, 8)}\n  namespace: default\ndata:\n  image: {{ params.image | json }}\n`,
      overrides: [],
      message: "",
    });
    templates = (await api<Listed<{ id: string }>>(request, "GET", "/api/v1/templates")).templates ?? [];
  }
  const teams = (await api<Listed<{ id: string }>>(request, "GET", "/api/v1/teams")).teams ?? [];
  if ((await api<Listed<{ id: string }>>(request, "GET", "/api/v1/rollouts?pageSize=1")).rollouts?.length === 0) {
    // One small rollout (a ConfigMap on one cluster), so the rollout and release pages are checked too.
    await api(request, "POST", "/api/v1/rollouts", {
      releaseName: "axe-release",
      templateId: templates[0]!.id,
      revision: 1,
      targets: { clusterIds: [clusters["testbed-1"]] },
    });
  }
  const rollouts = (await api<Listed<{ id: string }>>(request, "GET", "/api/v1/rollouts?pageSize=1")).rollouts ?? [];
  const releases = (await api<Listed<{ id: string }>>(request, "GET", "/api/v1/releases?pageSize=1")).releases ?? [];
  return [
    "/overview",
    "/clusters",
    `/clusters/${Object.values(clusters)[0]}`,
    "/clusters/new",
    "/clusters/import",
    "/inventory",
    "/templates",
    "/templates/new",
    ...templates.slice(0, 1).map((t) => `/templates/${t.id}`),
    "/rollouts",
    "/rollouts/new",
    ...rollouts.slice(0, 1).map((r) => `/rollouts/${r.id}`),
    ...releases.slice(0, 1).map((r) => `/rollouts/releases/${r.id}`),
    "/teams",
    ...teams.slice(0, 1).map((t) => `/teams/${t.id}`),
    "/teams/users",
    "/teams/sso",
    "/audit",
    "/account/tokens",
  ];
}

async function violations(page: Page, path: string, theme: Theme): Promise<string[]> {
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
  // The theme under test is the one shown (the class next-themes sets from the system setting).
  if (theme === "dark") await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  else await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
  // Wait for the data: no loading state left on the page.
  await expect(page.getByText(/^Loading /)).toHaveCount(0);
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${theme} ${path}: ${v.id} (${v.impact}) ${v.nodes.length}× e.g. ${v.nodes[0]?.target.join(" ")}`);
}

type Theme = "light" | "dark";

// Both themes through the system setting (the default "System" choice follows it).
for (const theme of ["light", "dark"] as const) {
  test(`every signed-in page has no serious or critical axe violation (${theme} theme)`, async ({ page }) => {
    test.setTimeout(240_000);
    await page.emulateMedia({ colorScheme: theme });
    const found: string[] = [];
    for (const path of await pages(page)) found.push(...(await violations(page, path, theme)));
    expect(found).toEqual([]);
  });

  test(`the sign-in page has no serious or critical axe violation (${theme} theme)`, async ({ anonymousPage }) => {
    await anonymousPage.emulateMedia({ colorScheme: theme });
    await anonymousPage.goto("/sign-in");
    await expect(anonymousPage.getByRole("heading", { level: 1 }).first()).toBeVisible();
    const result = await new AxeBuilder({ page: anonymousPage })
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
      .analyze();
    expect(result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual(
      [],
    );
  });
}
