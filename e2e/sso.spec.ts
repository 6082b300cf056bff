import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { startTestIdp, type TestIdp } from "@/lib/testing/oidc-idp";
import { ClustersPage } from "./pages/clusters-page";
import { api, ensureTestbedClusters } from "./support/api";
import { expect, test } from "./support/fixtures";
import { ADMIN, E2E_BASE_URL, E2E_SERVER_LOG } from "./support/paths";

/**
 * Single sign-on in a real browser against a real OpenID Provider process (oidc-provider,
 * started here and stopped after the file): an admin configures it in the UI, a user signs
 * in on the provider's own login page, gets exactly the teams their groups map to and sees
 * only those teams' clusters; the provider drops a group, the user signs out (at the
 * provider too) and in again, and has lost that team.
 */

test.describe.configure({ mode: "serial" });

const tag = randomBytes(3).toString("hex");
const PAYMENTS = `payments-${tag}`;
const SEARCH = `search-${tag}`;
const LABEL = `sso-owner-${tag}`;
const CLIENT = { client_id: "archipelago-e2e", client_secret: `e2e-client-secret-${tag}` };
const ERIN = { login: "erin", password: `erin-pass-${tag}`, email: `erin-${tag}@corp.example`, name: "Erin Ops" };

let idp: TestIdp;

test.beforeAll(async () => {
  idp = await startTestIdp({
    users: [{ ...ERIN, groups: ["payments-team", "search-team"] }],
    clients: [
      {
        ...CLIENT,
        redirect_uris: [`${E2E_BASE_URL}/api/v1/auth/sso/callback`],
        post_logout_redirect_uris: [`${E2E_BASE_URL}/sign-in`],
      },
    ],
  });
});

test.afterAll(async () => {
  await idp?.stop();
});

async function signInThroughProvider(page: Page) {
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Sign in with Corp SSO" }).click();
  // The provider's own login page, on its own origin.
  await expect(page).toHaveURL(new RegExp(`^${idp.issuer}/interaction/`));
  await page.getByLabel("Username").fill(ERIN.login);
  await page.getByLabel("Password").fill(ERIN.password);
  await page.getByRole("button", { name: "Sign in to Test IdP" }).click();
  await expect(page).toHaveURL(/\/overview$/);
}

async function expectTeams(page: Page, names: string[]) {
  await page.goto("/teams");
  for (const name of names) await expect(page.getByTestId(`team-${name}`)).toBeVisible();
  await expect(page.locator('[data-testid^="team-"]')).toHaveCount(names.length);
}

test("a user signs in through the provider, gets exactly the mapped teams, and loses one when the provider drops the group", async ({
  page,
  browser,
}) => {
  // Admin: two teams, each granted one testbed cluster (by a label only this test uses).
  const ids = await ensureTestbedClusters(page.request);
  for (const [team, cluster] of [
    [PAYMENTS, "testbed-1"],
    [SEARCH, "testbed-2"],
  ] as const) {
    const { cluster: current } = await api<{ cluster: { labels: Record<string, string> } }>(
      page.request,
      "GET",
      `/api/v1/clusters/${ids[cluster]}`,
    );
    await api(page.request, "PATCH", `/api/v1/clusters/${ids[cluster]}`, {
      labels: { ...current.labels, [LABEL]: team },
    });
    const { team: created } = await api<{ team: { id: string } }>(page.request, "POST", "/api/v1/teams", {
      name: team,
    });
    await api(page.request, "POST", `/api/v1/teams/${created.id}/grants`, {
      clusterSelector: `${LABEL}=${team}`,
      namespaces: ["default"],
      level: "view",
    });
  }

  // Admin configures the provider in the UI, tests it, and maps the groups.
  await page.goto("/teams/sso");
  await page.getByRole("button", { name: "Add provider" }).click();
  const form = page.getByRole("form", { name: "Identity provider" });
  await form.getByLabel("Display name").fill("Corp SSO");
  await form.getByLabel("Slug").fill("corp");
  await form.getByLabel("Issuer URL").fill(idp.issuer);
  await form.getByLabel("Client id").fill(CLIENT.client_id);
  await form.getByLabel("Client secret").fill(CLIENT.client_secret);
  await form.getByLabel("Allowed email domains").fill("corp.example");
  for (const [index, group, team, role] of [
    [1, "payments-team", PAYMENTS, "member"],
    [2, "search-team", SEARCH, "maintainer"],
  ] as const) {
    await form.getByRole("button", { name: "Add mapping" }).click();
    await form.getByLabel(`Group ${index}`, { exact: true }).fill(group);
    await form.getByLabel(`Target of group ${index}`).selectOption({ label: `Team ${team}` });
    await form.getByLabel(`Role of group ${index}`).selectOption(role);
  }
  await form.getByRole("button", { name: "Test configuration" }).click();
  const result = page.getByTestId("sso-test-result");
  await expect(result).toContainText("accepted the client credentials");
  await expect(page.getByTestId("sso-redirect-uri")).toHaveText(`${E2E_BASE_URL}/api/v1/auth/sso/callback`);
  await form.getByRole("button", { name: "Add provider" }).click();
  await expect(page.getByTestId("sso-provider-corp")).toContainText(`payments-team → team ${PAYMENTS} (member)`);

  // The user, in a browser of their own.
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const user = await context.newPage();
  await signInThroughProvider(user);
  const clusters = new ClustersPage(user);
  await clusters.goto();
  await expect(clusters.row("testbed-1")).toBeVisible();
  await expect(clusters.row("testbed-2")).toBeVisible();
  await expect(clusters.row("testbed-3")).toHaveCount(0);
  await expectTeams(user, [PAYMENTS, SEARCH]);
  await user.getByTestId(`team-${SEARCH}`).getByRole("link").click();
  await expect(user.getByTestId(`member-${ERIN.email}`)).toContainText("from identity provider");

  // The provider drops a group; the user signs out (at the provider too) and in again.
  await idp.setGroups(ERIN.login, ["payments-team"]);
  await user.getByRole("button", { name: ERIN.name }).click();
  await user.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(user).toHaveURL(new RegExp(`^${idp.issuer}/`));
  await user.getByRole("button", { name: "Yes, sign me out" }).click();
  await expect(user).toHaveURL(/\/sign-in$/);
  await signInThroughProvider(user);
  await clusters.goto();
  await expect(clusters.row("testbed-1")).toBeVisible();
  await expect(clusters.row("testbed-2")).toHaveCount(0);
  await expectTeams(user, [PAYMENTS]);
  await context.close();

  // The admin sees the membership marked as the provider's, with no way to edit it by hand.
  const { teams } = await api<{ teams: Array<{ id: string; name: string }> }>(page.request, "GET", "/api/v1/teams");
  await page.goto(`/teams/${teams.find((t) => t.name === PAYMENTS)!.id}`);
  const member = page.getByTestId(`member-${ERIN.email}`);
  await expect(member).toContainText("from identity provider");
  await expect(member.getByRole("button", { name: `Remove ${ERIN.email}` })).toHaveCount(0);

  // The provider goes down: the sign-in page says so, and a local admin still signs in.
  await idp.stop();
  const down = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const visitor = await down.newPage();
  await visitor.goto("/sign-in");
  await visitor.getByRole("link", { name: "Sign in with Corp SSO" }).click();
  await expect(visitor).toHaveURL(/\/sign-in\?sso_error=provider_unreachable/);
  await expect(visitor.getByTestId("sso-error")).toContainText("could not be reached");
  await visitor.getByLabel("Email").fill(ADMIN.email);
  await visitor.getByLabel("Password").fill(ADMIN.password);
  await visitor.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(visitor).toHaveURL(/\/overview$/);
  await down.close();

  // Nothing the server logged holds the client secret.
  expect(readFileSync(E2E_SERVER_LOG, "utf8")).not.toContain(CLIENT.client_secret);

  // Leave the sign-in page as other specs expect it.
  const { providers } = await api<{ providers: Array<{ id: string }> }>(page.request, "GET", "/api/v1/sso/providers");
  for (const provider of providers)
    await api(page.request, "PATCH", `/api/v1/sso/providers/${provider.id}`, { enabled: false });
});
