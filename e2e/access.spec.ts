import { randomBytes } from "node:crypto";
import type { APIRequestContext, Browser, Page } from "@playwright/test";
import { ClustersPage } from "./pages/clusters-page";
import { SignInPage } from "./pages/sign-in-page";
import { api, ensureTestbedClusters } from "./support/api";
import { sql } from "./support/database";
import { expect, test } from "./support/fixtures";

const PASSWORD = "a long enough password";

// Each test creates the people, teams and cluster labels it needs, under names of its own,
// so the tests pass alone, in any order, and on a database other specs have used.
test.describe.configure({ mode: "serial" });

function signedInPage(browser: Browser, email: string): Promise<Page> {
  return SignInPage.asUser(browser, email, PASSWORD);
}

/** Names unique to one test: two people, their teams, and the label key that selects their clusters. */
function cast() {
  const tag = randomBytes(3).toString("hex");
  return {
    alice: { email: `alice-${tag}@example.com`, name: "Alice Alpha" },
    bob: { email: `bob-${tag}@example.com`, name: "Bob Beta" },
    alpha: `alpha-${tag}`,
    beta: `beta-${tag}`,
    owner: `owner-${tag}`,
  };
}

/** Adds labels to a cluster, keeping the ones other specs set. */
async function addLabels(request: APIRequestContext, clusterId: string, labels: Record<string, string>) {
  const { cluster } = await api<{ cluster: { labels: Record<string, string> } }>(
    request,
    "GET",
    `/api/v1/clusters/${clusterId}`,
  );
  await api(request, "PATCH", `/api/v1/clusters/${clusterId}`, { labels: { ...cluster.labels, ...labels } });
}

/** Through the API: testbed-1 labelled for alpha and testbed-2 for beta, each team viewing its own cluster. */
async function arrangeTeams(request: APIRequestContext, c: ReturnType<typeof cast>) {
  const ids = await ensureTestbedClusters(request);
  await addLabels(request, ids["testbed-1"]!, { [c.owner]: "alpha" });
  await addLabels(request, ids["testbed-2"]!, { [c.owner]: "beta" });
  for (const [team, person] of [
    [c.alpha, c.alice],
    [c.beta, c.bob],
  ] as const) {
    await api(request, "POST", "/api/v1/users", { ...person, password: PASSWORD });
    const { team: created } = await api<{ team: { id: string } }>(request, "POST", "/api/v1/teams", { name: team });
    await api(request, "POST", `/api/v1/teams/${created.id}/members`, { email: person.email });
    await api(request, "POST", `/api/v1/teams/${created.id}/grants`, {
      clusterSelector: `${c.owner}=${team === c.alpha ? "alpha" : "beta"}`,
      namespaces: ["team-*", "default"],
      level: "view",
    });
  }
  return ids;
}

test("an admin sets up users, teams, members and grants in the UI, with a live preview", async ({ page }) => {
  const c = cast();
  const ALICE = c.alice;
  const BOB = c.bob;
  const ids = await ensureTestbedClusters(page.request);
  await addLabels(page.request, ids["testbed-1"]!, { [c.owner]: "alpha" });
  await addLabels(page.request, ids["testbed-2"]!, { [c.owner]: "beta" });

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
  const started = new Date();
  for (const name of [c.alpha, c.beta]) {
    await page.getByLabel("Team name").fill(name);
    await page.getByRole("button", { name: "Create team" }).click();
    await expect(page.getByTestId(`team-${name}`)).toBeVisible();
  }

  for (const [team, person, selector] of [
    [c.alpha, ALICE, `${c.owner}=alpha`],
    [c.beta, BOB, `${c.owner}=beta`],
  ] as const) {
    await page.goto("/teams");
    await page.getByTestId(`team-${team}`).getByRole("link", { name: team }).click();
    await page.getByLabel("Add member by email").fill(person.email);
    await page.getByRole("button", { name: "Add member" }).click();
    await expect(page.getByTestId(`member-${person.email}`)).toBeVisible();

    const grants = page.getByRole("region", { name: "Grants" });
    await grants.getByLabel("Cluster label selector").fill(selector);
    await expect(grants.getByTestId("grant-preview")).toHaveText(
      `Matches now: ${team === c.alpha ? "testbed-1" : "testbed-2"}`,
    );
    await grants.getByLabel("Namespaces").fill("team-*, default");
    await grants.getByLabel("Level").selectOption("view");
    await grants.getByLabel("Secrets").selectOption(team === c.alpha ? "reveal" : "metadata");
    await grants.getByRole("button", { name: "Add grant" }).click();
    await expect(grants.getByText(/matches now: testbed-\d/)).toBeVisible();

    const preview = page.getByRole("region", { name: "What this team can see" });
    const row = preview.getByTestId(`access-${team === c.alpha ? "testbed-1" : "testbed-2"}`);
    await expect(row).toContainText("team-a");
    await expect(row).toContainText("default");
    await expect(preview.getByTestId(`access-${team === c.alpha ? "testbed-2" : "testbed-1"}`)).toHaveCount(0);
  }

  // Two grants and two members by this test (its users were created before `started`).
  const [audit] = await sql<{ n: string }>(
    "SELECT count(*) AS n FROM audit_events WHERE action IN ('team.grant-create', 'team.member-add') AND result = 'success' AND at >= $1",
    [started],
  );
  expect(Number(audit?.n)).toBe(4);
});

test("a team-A user never sees team B's cluster: lists, counts, search, teams, typed URLs", async ({
  browser,
  page: adminPage,
}) => {
  const c = cast();
  const ids = await arrangeTeams(adminPage.request, c);
  const page = await signedInPage(browser, c.alice.email);
  // Sign-in lands on the overview, which counts only what the grants show.
  await expect(page.getByTestId("overview-clusters-total")).toContainText("1");
  const clusters = new ClustersPage(page);
  await clusters.goto();
  await expect(clusters.row("testbed-1")).toBeVisible();
  await expect(clusters.row("testbed-2")).toHaveCount(0);
  await expect(clusters.row("testbed-3")).toHaveCount(0);
  await expect(page.getByTestId("count-all")).toHaveText("1");

  await page.getByLabel("Name contains").fill("testbed-2");
  await expect(page.getByText("No cluster matches these filters")).toBeVisible();
  await clusters.goto(`?selector=${c.owner}%3Dbeta`);
  await expect(page.getByText("No cluster matches these filters")).toBeVisible();

  for (const url of [`/clusters/${ids["testbed-2"]}`, `/clusters/${ids["testbed-3"]}`]) {
    const response = await page.goto(url);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  }
  const betaTeam = (await sql<{ id: string }>("SELECT id FROM teams WHERE name = $1", [c.beta]))[0]!.id;
  expect((await page.goto(`/teams/${betaTeam}`))?.status()).toBe(404);
  expect((await page.request.get(`/api/v1/clusters/${ids["testbed-2"]}`)).status()).toBe(404);
  expect((await page.request.get(`/api/v1/teams/${betaTeam}`)).status()).toBe(404);

  await page.goto("/teams");
  await expect(page.getByTestId(`team-${c.alpha}`)).toBeVisible();
  await expect(page.getByTestId(`team-${c.beta}`)).toHaveCount(0);
  // Admin-only places do not exist for her.
  expect((await page.goto("/teams/users"))?.status()).toBe(404);
  expect((await page.goto("/audit"))?.status()).toBe(404);
  await page.context().close();
});

test("a disabled user's sessions and API tokens stop working at once", async ({ browser, page: adminPage }) => {
  const BOB = cast().bob;
  await api(adminPage.request, "POST", "/api/v1/users", { ...BOB, password: PASSWORD });
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
  const { alpha } = cast();
  await api(page.request, "POST", "/api/v1/teams", { name: alpha });
  await page.goto("/audit?action=team.");
  await expect(page.getByTestId("audit-row").filter({ hasText: alpha }).first()).toBeVisible();
  await expect(page.getByTestId("audit-row").first()).toBeVisible();
  for (const row of await page.getByTestId("audit-row").all()) await expect(row).toContainText("team.");
  await page.getByLabel("User").fill("nobody-at-all");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByText("No audit events match.")).toBeVisible();
});
