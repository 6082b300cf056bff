import { execFileSync } from "node:child_process";
import type { Page } from "@playwright/test";
import { testbedDir } from "../testbed/harness";
import { DEMO_BODY, DEMO_SCHEMA } from "../lib/testing/rollout-fixtures";
import { api, ensureTestbedClusters } from "./support/api";
import { sql } from "./support/database";
import { expect, test } from "./support/fixtures";
import { E2E_BASE_URL } from "./support/paths";

test.describe.configure({ mode: "serial" });

const BODY = DEMO_BODY.replaceAll("{{ release }}", "e2e");
const SCHEMA = {
  ...DEMO_SCHEMA,
  properties: { ...DEMO_SCHEMA.properties, namespace: { type: "string", default: "team-b" } },
};
let ids: Record<string, string> = {};

/**
 * The clusters outlive a test run (the next `npm test` reuses them) while the database does not:
 * what an earlier run's release left in team-b is owned by a release this database never had, and
 * one owner per object would rightly refuse to write over it. Start from clusters without it.
 */
function removeEarlierRunsObjects() {
  for (const context of ["testbed-1", "testbed-2", "testbed-3"])
    execFileSync(
      "kubectl",
      [
        ...["--kubeconfig", `${testbedDir}/kubeconfig`, "--context", context, "-n", "team-b", "delete"],
        ...["configmap/e2e-config", "secret/e2e-secret", "serviceaccount/e2e-sa", "service/e2e-svc"],
        ...["deployment/e2e-web", "--ignore-not-found", "--wait=true"],
      ],
      { stdio: "ignore" },
    );
}

test.beforeAll(async ({ browser }) => {
  removeEarlierRunsObjects();
  const context = await browser.newContext({ storageState: ".e2e/admin.json" });
  ids = await ensureTestbedClusters(context.request);
  for (const name of ["testbed-1", "testbed-2", "testbed-3"])
    await api(context.request, "PATCH", `/api/v1/clusters/${ids[name]}`, { labels: { e2e: "yes", region: name } });
  await context.close();
});

test("the bulk rollout form: template, preview, waves, done", async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto("/templates/new");
  await page.getByLabel("Template name").fill("e2e-web");
  await page.getByLabel("Body (multi-document YAML, Liquid)").fill(BODY);
  await page.getByLabel("Parameter schema (JSON Schema)").fill(JSON.stringify(SCHEMA, null, 2));
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByText("No problems")).toBeVisible();
  await page.getByRole("button", { name: "Create template" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "e2e-web" })).toBeVisible();

  await page.getByRole("link", { name: "Roll out revision 1" }).click();
  await expect(page).toHaveURL(/\/rollouts\/new\?template=/);
  await page.getByLabel("Release name").fill("e2e-web");
  await page.getByLabel("image").fill("NOT VALID");
  await expect(page.getByText(/Must match/)).toBeVisible();
  await page.getByLabel("image").fill("registry.local/e2e:1.0");
  await page.getByLabel("Cluster label selector").fill("e2e=yes");
  await expect(page.getByTestId("matched-targets")).toHaveText("3 target cluster(s): testbed-1, testbed-2, testbed-3");
  await page.getByLabel("In waves").check();
  await page.getByLabel("Clusters per wave").fill("2");
  await page.getByLabel("Canary testbed-1").check();
  await page.getByLabel("Health gate timeout (seconds)").fill("90");

  await page.getByRole("button", { name: "Preview (server-side dry-run)" }).click();
  for (const name of ["testbed-1", "testbed-2", "testbed-3"]) {
    await expect(page.getByTestId(`preview-${name}`)).toContainText(/5 to create · 0 to change/);
  }
  // Nothing was created by the preview.
  expect(
    await sql("SELECT 1 FROM rollouts r JOIN releases rel ON rel.id = r.release_id WHERE rel.name = 'e2e-web'"),
  ).toHaveLength(0);

  // A double click starts one rollout.
  await page.getByRole("button", { name: "Start rollout" }).dblclick();
  await expect(page).toHaveURL(/\/rollouts\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("wave-1-state")).toBeVisible();
  await expect(page.getByTestId("target-testbed-1")).toBeVisible();
  await expect(page.getByTestId("rollout-state")).toHaveText("succeeded", { timeout: 180_000 });
  await expect(page.getByTestId("wave-1-state")).toHaveText("succeeded");
  await expect(page.getByTestId("wave-2-state")).toHaveText("succeeded");
  for (const name of ["testbed-1", "testbed-2", "testbed-3"])
    await expect(page.getByTestId(`target-${name}-state`)).toHaveText("succeeded");
  expect(
    await sql("SELECT 1 FROM rollouts r JOIN releases rel ON rel.id = r.release_id WHERE rel.name = 'e2e-web'"),
  ).toHaveLength(1);

  // The release keeps it: every cluster on revision 1, in sync.
  await page.getByRole("link", { name: "e2e-web" }).last().click();
  await page.getByRole("button", { name: "Check drift now" }).click();
  for (const name of ["testbed-1", "testbed-2", "testbed-3"])
    await expect(page.getByTestId(`release-cluster-${name}`)).toContainText("in sync");
});

test.describe("bad input: 4xx naming the field or template line, nothing applied", () => {
  const post = async (page: Page, path: string, body: unknown) => {
    const response = await page.request.post(path, {
      headers: { origin: E2E_BASE_URL, "content-type": "application/json" },
      data: JSON.stringify(body),
    });
    return {
      status: response.status(),
      body: (await response.json()) as { error: { fields: Record<string, string[]> } },
    };
  };

  test("a template whose YAML does not parse", async ({ page }) => {
    const result = await post(page, "/api/v1/templates", {
      name: "broken-yaml",
      schema: SCHEMA,
      body: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: team-b\ndata: [unclosed\n",
    });
    expect(result.status).toBe(400);
    expect(result.body.error.fields.body?.join(" ")).toMatch(/line 1: document 1 is not valid YAML/);
  });

  test("a template expression error names its line and column", async ({ page }) => {
    const result = await post(page, "/api/v1/templates", {
      name: "broken-expr",
      schema: SCHEMA,
      body: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ params.image | nosuchfilter }}\n",
    });
    expect(result.status).toBe(400);
    expect(result.body.error.fields.body?.join(" ")).toMatch(/line 4, column \d+: .*nosuchfilter/);
  });

  test("a 2 MB manifest", async ({ page }) => {
    const result = await post(page, "/api/v1/templates", {
      name: "huge",
      schema: SCHEMA,
      body: `${BODY}\n# ${"x".repeat(2 * 1024 * 1024)}\n`,
    });
    expect(result.status).toBe(400);
    expect(result.body.error.fields.body?.join(" ")).toMatch(/at most 1 MB/);
  });

  test("parameters that break the schema, an empty target set, a namespace outside the grant", async ({ page }) => {
    // Its own template, so this test does not depend on the rollout test before it.
    const { template } = await api<{ template: { id: string } }>(page.request, "POST", "/api/v1/templates", {
      name: `bad-input-${Date.now().toString(36)}`,
      schema: SCHEMA,
      body: BODY,
    });
    const before = (await sql("SELECT 1 FROM rollouts")).length;
    const base = {
      releaseName: "bad-input",
      templateId: template.id,
      revision: 1,
      params: { image: "registry.local/x:1" },
      targets: { selector: "e2e=yes" },
    };
    const badParams = await post(page, "/api/v1/rollouts", { ...base, params: { image: "UPPER CASE", replicas: 50 } });
    expect(badParams.status).toBe(400);
    expect(Object.keys(badParams.body.error.fields).sort()).toEqual(["params.image", "params.replicas"]);
    const noTargets = await post(page, "/api/v1/rollouts", { ...base, targets: { selector: "e2e=no-such-value" } });
    expect(noTargets.status).toBe(400);
    expect(noTargets.body.error.fields["targets.selector"]?.[0]).toMatch(/matches no cluster/);
    const empty = await post(page, "/api/v1/rollouts", { ...base, targets: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields.targets?.[0]).toMatch(/Choose target clusters/);
    expect((await sql("SELECT 1 FROM rollouts")).length).toBe(before);
  });
});
