import { execFileSync } from "node:child_process";
import { testbedDir } from "../testbed/harness";
import { DEMO_BODY, DEMO_SCHEMA } from "../lib/testing/rollout-fixtures";
import { SignInPage } from "./pages/sign-in-page";
import { api, ensureTestbedClusters } from "./support/api";
import { expect, test } from "./support/fixtures";

test.describe.configure({ mode: "serial" });

/**
 * Approve from the rollout page after reading the preview: the author (Ada) starts a rollout
 * to a cluster under an approval policy; it waits, and her page says she may not approve her
 * own; a second admin signs in, reads the previewed change, approves with a comment, and it runs.
 */

const RELEASE = "e2eappr";
const APPROVER = { email: "vera-approver@example.com", name: "Vera Approver", password: "approver password long" };
const BODY = DEMO_BODY.replaceAll("{{ release }}", RELEASE);
// team-a: the namespace every testbed cluster has.
const SCHEMA = DEMO_SCHEMA;
let clusterId = "";
let policyId = "";
let originalLabels: Record<string, string> = {};

function removeEarlierRunsObjects() {
  execFileSync(
    "kubectl",
    [
      ...["--kubeconfig", `${testbedDir}/kubeconfig`, "--context", "testbed-3", "-n", "team-a", "delete"],
      ...[`configmap/${RELEASE}-config`, `secret/${RELEASE}-secret`, `serviceaccount/${RELEASE}-sa`],
      ...[`service/${RELEASE}-svc`, `deployment/${RELEASE}-web`, "--ignore-not-found", "--wait=true"],
    ],
    { stdio: "ignore" },
  );
}

test.beforeAll(async ({ browser }) => {
  removeEarlierRunsObjects();
  const context = await browser.newContext({ storageState: ".e2e/admin.json" });
  const ids = await ensureTestbedClusters(context.request);
  clusterId = ids["testbed-3"]!;
  const cluster = await api<{ cluster: { labels: Record<string, string> } }>(
    context.request,
    "GET",
    `/api/v1/clusters/${clusterId}`,
  );
  originalLabels = cluster.cluster.labels;
  await api(context.request, "PATCH", `/api/v1/clusters/${clusterId}`, {
    labels: { ...originalLabels, "approval-e2e": "prod" },
  });
  policyId = (
    await api<{ policy: { id: string } }>(context.request, "POST", "/api/v1/approval-policies", {
      name: "e2e-production",
      clusterSelector: "approval-e2e=prod",
      approvalsRequired: 1,
    })
  ).policy.id;
  await api(context.request, "POST", "/api/v1/users", { ...APPROVER, isAdmin: true }).catch(() => undefined);
  await context.close();
});

test.afterAll(async ({ browser }) => {
  // Other specs roll out to testbed-3: leave no policy and no label behind.
  const context = await browser.newContext({ storageState: ".e2e/admin.json" });
  if (policyId) await api(context.request, "DELETE", `/api/v1/approval-policies/${policyId}`);
  if (clusterId) await api(context.request, "PATCH", `/api/v1/clusters/${clusterId}`, { labels: originalLabels });
  await context.close();
});

test("approve from the rollout page after reading the preview", async ({ page, browser }) => {
  test.setTimeout(240_000);
  const template = await api<{ template: { id: string } }>(page.request, "POST", "/api/v1/templates", {
    name: "e2e-approval-web",
    schema: SCHEMA,
    body: BODY,
  });
  const started = await api<{ rolloutId: string }>(page.request, "POST", "/api/v1/rollouts", {
    releaseName: RELEASE,
    templateId: template.template.id,
    revision: 1,
    params: { image: "registry.local/e2e:1.0", replicas: 1 },
    targets: { clusterIds: [clusterId] },
    strategy: { kind: "all" },
    healthGate: { timeoutSeconds: 90 },
    tolerateFailures: 0,
    autoRollback: true,
    takeOwnership: false,
  });
  const url = `/rollouts/${started.rolloutId}`;

  // The author's page: waiting, and no approve button for her own rollout.
  await page.goto(url);
  await expect(page.getByTestId("rollout-state")).toHaveText("awaiting approval");
  await expect(page.getByTestId("approval-section")).toBeVisible();
  await expect(page.getByTestId("approval-policy-e2e-production")).toContainText("0 of 1 approvals");
  await expect(page.getByTestId("approval-why-not")).toHaveText(/author of a rollout may not approve/);
  await expect(page.getByRole("button", { name: "Approve", exact: true })).toHaveCount(0);

  // A second admin reads the previewed change and approves it.
  const approver = await SignInPage.asUser(browser, APPROVER.email, APPROVER.password);
  await approver.goto(url);
  const preview = approver.getByTestId("preview-testbed-3");
  await expect(preview).toContainText("5 to create · 0 to change");
  await preview.locator("summary").first().click();
  await expect(preview).toContainText(`Deployment team-a/${RELEASE}-web`);
  await expect(preview).not.toContainText("rendered-for-");
  await approver.getByLabel("Comment").fill("Read the diff: five new objects in team-a");
  approver.once("dialog", (dialog) => void dialog.accept());
  await approver.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(approver.getByTestId("approval-decisions")).toContainText(`approved by ${APPROVER.email}`);
  await expect(approver.getByTestId("rollout-state")).toHaveText("succeeded", { timeout: 180_000 });
  await approver.context().close();

  await page.reload();
  await expect(page.getByTestId("approval-decisions")).toContainText("Read the diff: five new objects in team-a");
});
