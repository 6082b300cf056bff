import type { Page } from "@playwright/test";
import type { OverviewResponse } from "../lib/api/overview-types";
import { HEALTH_STATES } from "../lib/k8s/kinds";
import { seedTestbed } from "../testbed/harness";
import { SignInPage } from "./pages/sign-in-page";
import { api, ensureTestbedClusters } from "./support/api";
import { expect, test } from "./support/fixtures";

const PASSWORD = "a long enough password";
const PAIR = "overview-pair@example.com";

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  await seedTestbed({ scale: 1, seed: 1 });
  const context = await browser.newContext({ storageState: ".e2e/admin.json" });
  const request = context.request;
  const ids = await ensureTestbedClusters(request);
  // A team that sees two of the three clusters.
  await api(request, "POST", "/api/v1/users", { email: PAIR, name: "overview-pair", password: PASSWORD }).catch(
    () => undefined,
  );
  const team = await api<{ team: { id: string } }>(request, "POST", "/api/v1/teams", { name: "overview-pair" }).catch(
    async () => {
      const teams = await api<{ teams: Array<{ id: string; name: string }> }>(request, "GET", "/api/v1/teams");
      return { team: teams.teams.find((t) => t.name === "overview-pair")! };
    },
  );
  await api(request, "POST", `/api/v1/teams/${team.team.id}/members`, { email: PAIR }).catch(() => undefined);
  await api(request, "POST", `/api/v1/teams/${team.team.id}/grants`, {
    clusterIds: [ids["testbed-1"], ids["testbed-2"]],
    namespaces: ["*"],
    level: "view",
  });
  await context.close();
});

/** What the page shows: the stat cards and every cell of the text table. */
async function shownNumbers(page: Page) {
  const stat = async (id: string) =>
    Number(await page.getByTestId(`overview-${id}`).locator("span").last().innerText());
  const clusters = {
    total: await stat("clusters-total"),
    reachable: await stat("clusters-reachable"),
    unreachable: await stat("clusters-unreachable"),
    never_checked: await stat("clusters-never_checked"),
  };
  const totals = Object.fromEntries(
    await Promise.all(HEALTH_STATES.map(async (s) => [s, await stat(`workloads-${s}`)] as const)),
  );
  const table = page.getByRole("table", { name: "Workloads by health per cluster" });
  const rows: Record<string, Record<string, number>> = {};
  for (const row of await table.locator("tbody tr").all()) {
    const name = (await row.getAttribute("data-cluster"))!;
    rows[name] = {};
    for (const state of HEALTH_STATES)
      rows[name][state] = Number(await row.locator(`td[data-health=${state}]`).innerText());
  }
  return { clusters, totals, rows };
}

function fromApi(answer: OverviewResponse) {
  return {
    clusters: { total: answer.clusters.total, ...answer.clusters.byStatus },
    totals: answer.workloads.totals,
    rows: Object.fromEntries(answer.workloads.clusters.map((c) => [c.name, c.workloads])),
  };
}

/** The page refreshes every 10 s and workloads move: reload until a page and an API answer agree, with a deadline. */
async function expectPageEqualsApi(page: Page): Promise<OverviewResponse> {
  let answer: OverviewResponse | undefined;
  await expect(async () => {
    await page.goto("/overview");
    await page.getByText(/Show as a table/).click();
    await expect(page.getByRole("table", { name: "Workloads by health per cluster" })).toBeVisible();
    const shown = await shownNumbers(page);
    answer = (await (await page.request.get("/api/v1/overview")).json()) as OverviewResponse;
    expect(shown).toEqual(fromApi(answer));
  }).toPass({ timeout: 60_000 });
  return answer!;
}

test("the overview is the landing page and its numbers equal the API's for an admin", async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto("/");
  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  const answer = await expectPageEqualsApi(page);
  expect(answer.clusters.total).toBeGreaterThanOrEqual(3);
  expect(Object.keys(fromApi(answer).rows)).toEqual(expect.arrayContaining(["testbed-1", "testbed-2", "testbed-3"]));
  await expect(page.getByRole("img", { name: /Heat map of workloads by health/ })).toBeVisible();

  // A number leads to the filtered view behind it.
  await page.getByTestId("overview-workloads-healthy").click();
  await expect(page).toHaveURL(/\/inventory\?view=workloads&health=healthy$/);
});

test("a team that sees two clusters sees only those, with the API's numbers", async ({ browser }) => {
  test.setTimeout(120_000);
  const page = await SignInPage.asUser(browser, PAIR, PASSWORD);
  const answer = await expectPageEqualsApi(page);
  expect(answer.clusters.total).toBe(2);
  expect(answer.workloads.clusters.map((c) => c.name)).toEqual(["testbed-1", "testbed-2"]);
  await expect(page.getByRole("table", { name: "Workloads by health per cluster" })).not.toContainText("testbed-3");

  // A cell leads to the inventory of that cluster and state.
  await page.locator('tr[data-cluster="testbed-2"] td[data-health="healthy"] a').click();
  await expect(page).toHaveURL(/\/inventory\?view=workloads&health=healthy&clusters=testbed-2$/);
  await page.context().close();
});
