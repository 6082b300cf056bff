import type { Browser, Page } from "@playwright/test";
import { ClustersPage } from "./pages/clusters-page";
import { SignInPage } from "./pages/sign-in-page";
import { api, ensureTestbedClusters } from "./support/api";
import { sql } from "./support/database";
import { expect, test } from "./support/fixtures";

const PASSWORD = "a long enough password";
const ALICE = { email: "alice@example.com", name: "Alice Alpha" };
const BOB = { email: "bob@example.com", name: "Bob Beta" };

test.describe.configure({ mode: "serial" });

function signedInPage(browser: Browser, email: string): Promise<Page> {
  return SignInPage.asUser(browser, email, PASSWORD);
}

let ids: Record<string, string> = {};

test("an admin sets up users, teams, members and grants in the UI, with a live preview", async ({ page }) => {
  ids = await ensureTestbedClusters(page.request);
  await api(page.request, "PATCH", `/api/v1/clusters/${ids["testbed-1"]}`, { labels: { owner: "alpha" } });
  await api(page.request, "PATCH", `/api/v1/clusters/${ids["testbed-2"]}`, { labels: { owner: "beta" } });

  await page.goto("/teams/users");
  for (const person of [ALICE, BOB]) {
    const form = page.getByRole("region", { name: "New user" });
    await form.getByLabel("Email").fill(person.email);
    await form.getByLabel("Name").fill(person.name);
    await form.getByLabel("Initial password").fill(PASSWORD);
    await form.getByRole("button", { name: "Create user" }).click();
    await expect(page.getByTestId(`user-${person.email}`)).toBeVisible();
  }

  await page.goto("/teams");
  for (const name of ["alpha", "beta"]) {
    await page.getByLabel("Team name").fill(name);
    await page.getByRole("button", { name: "Create team" }).click();
    await expect(page.getByTestId(`team-${name}`)).toBeVisible();
  }

  for (const [team, person, selector] of [
    ["alpha", ALICE, "owner=alpha"],
    ["beta", BOB, "owner=beta"],
  ] as const) {
    await page.goto("/teams");
    await page.getByTestId(`team-${team}`).getByRole("link", { name: team }).click();
    await page.getByLabel("Add member by email").fill(person.email);
    await page.getByRole("button", { name: "Add member" }).click();
    await expect(page.getByTestId(`member-${person.email}`)).toBeVisible();

    const grants = page.getByRole("region", { name: "Grants" });
    await grants.getByLabel("Cluster label selector").fill(selector);
    await expect(grants.getByTestId("grant-preview")).toHaveText(
      `Matches now: ${team === "alpha" ? "testbed-1" : "testbed-2"}`,
    );
    await grants.getByLabel("Namespaces").fill("team-*, default");
    await grants.getByLabel("Level").selectOption("view");
    await grants.getByLabel("Secrets").selectOption(team === "alpha" ? "reveal" : "metadata");
    await grants.getByRole("button", { name: "Add grant" }).click();
    await expect(grants.getByText(/matches now: testbed-\d/)).toBeVisible();

    const preview = page.getByRole("region", { name: "What this team can see" });
    const row = preview.getByTestId(`access-${team === "alpha" ? "testbed-1" : "testbed-2"}`);
    await expect(row).toContainText("team-a");
    await expect(row).toContainText("default");
    await expect(preview.getByTestId(`access-${team === "alpha" ? "testbed-2" : "testbed-1"}`)).toHaveCount(0);
  }

  const [audit] = await sql<{ n: string }>(
    "SELECT count(*) AS n FROM audit_events WHERE action IN ('team.grant-create', 'team.member-add', 'user.create') AND result = 'success'",
  );
  expect(Number(audit?.n)).toBeGreaterThanOrEqual(6);
});

test("a team-A user never sees team B's cluster: lists, counts, search, teams, typed URLs", async ({ browser }) => {
  const page = await signedInPage(browser, ALICE.email);
  const clusters = new ClustersPage(page);
  await expect(clusters.row("testbed-1")).toBeVisible();
  await expect(clusters.row("testbed-2")).toHaveCount(0);
  await expect(clusters.row("testbed-3")).toHaveCount(0);
  await expect(page.getByTestId("count-all")).toHaveText("1");

  await page.getByLabel("Name contains").fill("testbed-2");
  await expect(page.getByText("No cluster matches these filters")).toBeVisible();
  await clusters.goto("?selector=owner%3Dbeta");
  await expect(page.getByText("No cluster matches these filters")).toBeVisible();

  for (const url of [`/clusters/${ids["testbed-2"]}`, `/clusters/${ids["testbed-3"]}`]) {
    const response = await page.goto(url);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  }
  const betaTeam = (await sql<{ id: string }>("SELECT id FROM teams WHERE name = 'beta'"))[0]!.id;
  expect((await page.goto(`/teams/${betaTeam}`))?.status()).toBe(404);
  expect((await page.request.get(`/api/v1/clusters/${ids["testbed-2"]}`)).status()).toBe(404);
  expect((await page.request.get(`/api/v1/teams/${betaTeam}`)).status()).toBe(404);

  await page.goto("/teams");
  await expect(page.getByTestId("team-alpha")).toBeVisible();
  await expect(page.getByTestId("team-beta")).toHaveCount(0);
  // Admin-only places do not exist for her.
  expect((await page.goto("/teams/users"))?.status()).toBe(404);
  expect((await page.goto("/audit"))?.status()).toBe(404);
  await page.context().close();
});

test("a disabled user's sessions and API tokens stop working at once", async ({ browser, page: adminPage }) => {
  const page = await signedInPage(browser, BOB.email);
  await page.goto("/account/tokens");
  await page.getByLabel("Token name").fill("laptop");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())!.trim();
  expect(token).toMatch(/^arch_/);
  const asToken = () => page.request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}`, cookie: "" } });
  expect((await asToken()).status()).toBe(200);

  await adminPage.goto("/teams/users");
  await adminPage.getByTestId(`user-${BOB.email}`).getByRole("button", { name: "Disable" }).click();
  await expect(adminPage.getByTestId(`user-${BOB.email}`)).toContainText("disabled");

  await page.goto("/clusters");
  await expect(page).toHaveURL(/\/sign-in/);
  expect((await asToken()).status()).toBe(401);
  const [row] = await sql<{ n: string }>(
    "SELECT count(*) AS n FROM audit_events WHERE action = 'user.update' AND target_name = $1",
    [BOB.email],
  );
  expect(Number(row?.n)).toBe(1);
  await page.context().close();
});

test("the audit page lists and filters what happened", async ({ page }) => {
  await page.goto("/audit?action=team.");
  await expect(page.getByTestId("audit-row").first()).toBeVisible();
  for (const row of await page.getByTestId("audit-row").all()) await expect(row).toContainText("team.");
  await page.getByLabel("User").fill("nobody-at-all");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByText("No audit events match.")).toBeVisible();
});
