import { randomUUID } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import { deleteDeployment, seedTestbed, testbedDir } from "../testbed/harness";
import { SignInPage } from "./pages/sign-in-page";
import { api, ensureTestbedClusters } from "./support/api";
import { sql } from "./support/database";
import { expect, test } from "./support/fixtures";

const PASSWORD = "a long enough password";
const CANARY = `reveal-canary-${randomUUID().slice(0, 8)}`;

test.describe.configure({ mode: "serial" });

let ids: Record<string, string> = {};

function signedIn(browser: Browser, email: string): Promise<Page> {
  return SignInPage.asUser(browser, email, PASSWORD);
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  // broken-api reads "degraded" only within its progress deadline: create it anew (seed creates what is missing).
  await deleteDeployment("testbed-1", "shared", "broken-api");
  await seedTestbed({ scale: 1, seed: 1 });
  const context = await browser.newContext({ storageState: ".e2e/admin.json" });
  const request = context.request;
  ids = await ensureTestbedClusters(request);
  await api(request, "PATCH", `/api/v1/clusters/${ids["testbed-1"]}`, { labels: { owner: "alpha" } });
  await api(request, "PATCH", `/api/v1/clusters/${ids["testbed-2"]}`, { labels: { owner: "beta" } });
  // Two viewers of testbed-1's team-b namespace: one may reveal secrets, one only sees keys.
  for (const [email, secrets] of [
    ["revealer@example.com", "reveal"],
    ["peeker@example.com", "metadata"],
  ] as const) {
    await api(request, "POST", "/api/v1/users", { email, name: email.split("@")[0], password: PASSWORD }).catch(
      () => undefined,
    );
    const team = await api<{ team: { id: string } }>(request, "POST", "/api/v1/teams", {
      name: `inv-${secrets}`,
    }).catch(async () => {
      const teams = await api<{ teams: Array<{ id: string; name: string }> }>(request, "GET", "/api/v1/teams");
      return { team: teams.teams.find((t) => t.name === `inv-${secrets}`)! };
    });
    await api(request, "POST", `/api/v1/teams/${team.team.id}/members`, { email }).catch(() => undefined);
    await api(request, "POST", `/api/v1/teams/${team.team.id}/grants`, {
      clusterIds: [ids["testbed-1"]],
      namespaces: ["team-b"],
      level: "view",
      secrets,
    });
  }
  // A secret with a known value, created as an SRE would, with kubectl-like server-side apply via the testbed.
  const { execFileSync } = await import("node:child_process");
  const kubectl = ["--kubeconfig", `${testbedDir}/kubeconfig`, "--context", "testbed-1", "-n", "team-b"];
  execFileSync("kubectl", [...kubectl, "delete", "secret", "payments-db", "--ignore-not-found"], { stdio: "ignore" });
  execFileSync(
    "kubectl",
    [
      ...kubectl,
      "create",
      "secret",
      "generic",
      "payments-db",
      `--from-literal=password=${CANARY}`,
      "--from-literal=user=payments",
    ],
    { stdio: "ignore" },
  );
  await context.close();
});

test("filters live in the URL and narrow the fleet-wide table", async ({ page }) => {
  await page.goto("/inventory?view=configmaps");
  await expect(page.getByTestId("answer-testbed-1")).toHaveAttribute("data-state", "ok");
  await page.getByLabel("Name contains").fill("app-config");
  await expect(page).toHaveURL(/q=app-config/);
  for (const cluster of ["testbed-1", "testbed-2", "testbed-3"])
    await expect(page.getByTestId(`row-${cluster}-shared-app-config`)).toBeVisible();
  await page.getByLabel("Cluster selector").fill("owner in (alpha)");
  await expect(page.getByTestId("row-testbed-2-shared-app-config")).toHaveCount(0);
  await expect(page.getByTestId("row-testbed-1-shared-app-config")).toBeVisible();

  // The URL alone reproduces the view.
  const url = page.url();
  await page.goto(url);
  await expect(page.getByLabel("Name contains")).toHaveValue("app-config");
  await expect(page.getByTestId("row-testbed-1-shared-app-config")).toBeVisible();

  await page.goto("/inventory?view=workloads&health=degraded&q=broken-api");
  // The seeded broken-api turns degraded once its pods have failed to start (seconds, or more on a busy
  // machine); the page refreshes every 3 s, so this waits for that event with a hang-catching bound.
  await expect(page.getByTestId("row-testbed-1-shared-broken-api")).toContainText("degraded", { timeout: 60_000 });
  await page.getByLabel("Label selector").fill("app in (");
  await expect(page.getByText(/expected a label value|expected "," or "\)"/)).toBeVisible();
});

test("compare one configmap across clusters, with the differences shown", async ({ page }) => {
  await page.goto("/inventory?view=configmaps&q=app-config&namespace=shared");
  await page.getByTestId("row-testbed-1-shared-app-config").click();
  const drawer = page.getByRole("dialog", { name: "ConfigMap app-config" });
  await expect(drawer.getByRole("region", { name: "YAML" })).toContainText("region");
  await expect(drawer.getByRole("region", { name: "YAML" })).not.toContainText("managedFields");
  await drawer.getByRole("button", { name: "Compare across clusters" }).click();
  await expect(drawer.getByTestId("compare-testbed-1")).toContainText("baseline");
  await expect(drawer.getByTestId("compare-testbed-2")).toContainText("differs");
  await expect(drawer.getByTestId("compare-testbed-2")).toContainText("cluster: testbed-2");
  await page.keyboard.press("Escape");
  await expect(drawer).toBeHidden();
});

test("revealing a secret needs reveal, is audited, and is masked again on close", async ({ browser }) => {
  const peeker = await signedIn(browser, "peeker@example.com");
  await peeker.goto("/inventory?view=secrets&q=payments-db");
  await peeker.getByTestId("row-testbed-1-team-b-payments-db").click();
  const peekDrawer = peeker.getByRole("dialog", { name: "Secret payments-db" });
  await expect(peekDrawer.getByRole("region", { name: "Secret keys" }).getByText("password")).toBeVisible();
  await expect(peekDrawer.getByRole("button", { name: "Reveal values" })).toHaveCount(0);
  expect(await peeker.content()).not.toContain(CANARY);
  await peeker.context().close();

  const revealer = await signedIn(browser, "revealer@example.com");
  await revealer.goto("/inventory?view=secrets&q=payments-db");
  await expect(revealer.getByTestId("answer-testbed-1")).toBeVisible();
  await expect(revealer.getByTestId("answer-testbed-2")).toHaveCount(0);
  await revealer.getByTestId("row-testbed-1-team-b-payments-db").click();
  const drawer = revealer.getByRole("dialog", { name: "Secret payments-db" });
  await expect(drawer.getByTestId("secret-value-password")).toHaveText("••••••••");
  expect(await revealer.content()).not.toContain(CANARY);
  await drawer.getByRole("button", { name: "Reveal values" }).click();
  await expect(drawer.getByTestId("secret-value-password")).toHaveText(CANARY);
  const [row] = await sql<{ n: string }>(
    "SELECT count(*) AS n FROM audit_events WHERE action = 'secret.reveal' AND actor_email = 'revealer@example.com' AND result = 'success' AND target_name = 'payments-db'",
  );
  expect(Number(row?.n)).toBe(1);

  await drawer.getByRole("button", { name: "Close details" }).click();
  await revealer.getByTestId("row-testbed-1-team-b-payments-db").click();
  await expect(
    revealer.getByRole("dialog", { name: "Secret payments-db" }).getByTestId("secret-value-password"),
  ).toHaveText("••••••••");
  await revealer.context().close();
});
