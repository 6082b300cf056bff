import { readFileSync } from "node:fs";
import { fault, testbedDir } from "../testbed/harness";
import { ClustersPage } from "./pages/clusters-page";
import { api } from "./support/api";
import { sql } from "./support/database";
import { expect, test } from "./support/fixtures";

const kubeconfigPath = `${testbedDir}/kubeconfig`;

test.describe.configure({ mode: "serial" });

test.afterAll(async () => {
  await fault("testbed-2", "resume");
});

// Each test creates what it needs, so they pass alone and in any order.
test("import the testbed kubeconfig, watch a stopped cluster turn unreachable and recover", async ({ page }) => {
  test.setTimeout(150_000);
  // Other specs (and tests) may have registered clusters; this one starts from an empty fleet.
  const listed = await api<{ clusters: Array<{ id: string }> }>(page.request, "GET", "/api/v1/clusters?pageSize=500");
  for (const cluster of listed.clusters) await api(page.request, "DELETE", `/api/v1/clusters/${cluster.id}`);

  const clusters = new ClustersPage(page);
  await clusters.goto();
  await expect(page.getByText("No clusters registered yet")).toBeVisible();

  await page.getByRole("link", { name: "Import kubeconfig" }).first().click();
  await page.getByLabel("Upload kubeconfig file").setInputFiles(kubeconfigPath);
  await page.getByRole("button", { name: "Read contexts" }).click();
  await expect(page.getByTestId("import-row-testbed-1")).toBeVisible();
  // One context per API server by default: the cert and scoped users reach the same three servers,
  // so they are shown as duplicates of the admin context, with the reason, and left unchosen.
  for (const n of [1, 2, 3])
    for (const other of ["cert", "scoped"]) {
      await expect(page.getByRole("checkbox", { name: `Register testbed-${n}-${other}` })).not.toBeChecked();
      await expect(page.getByTestId(`import-row-testbed-${n}-${other}`).getByTestId("duplicate-reason")).toContainText(
        `Same API server as context "testbed-${n}"`,
      );
    }
  await expect(page.getByRole("checkbox", { name: "Register testbed-2", exact: true })).toBeChecked();
  await page.getByRole("button", { name: "Register 3 clusters" }).click();

  await expect(page).toHaveURL(/\/clusters$/);
  for (const name of ["testbed-1", "testbed-2", "testbed-3"]) await clusters.expectStatus(name, "Reachable");
  await expect(page.getByTestId("count-reachable")).toHaveText("3");

  await fault("testbed-2", "stop");
  await clusters.expectStatus("testbed-2", "Unreachable");
  await expect(clusters.row("testbed-2")).toContainText("Connection refused");
  await expect(clusters.row("testbed-1")).toContainText("Reachable");
  await expect(page.getByTestId("count-unreachable")).toHaveText("1");

  await fault("testbed-2", "resume");
  await clusters.expectStatus("testbed-2", "Reachable");
});

test("register one cluster by hand after testing the connection, then label and filter it", async ({ page }) => {
  const caData = readFileSync(`${testbedDir}/testbed-1/ca.crt`, "utf8");
  const token = readFileSync(`${testbedDir}/testbed-1/admin.token`, "utf8").trim();
  const server = (await import("../testbed/harness")).status;
  const entries = await server();
  const url = entries.find((entry) => entry.name === "testbed-1")!.server;

  await page.goto("/clusters/new");
  const name = `manual-${Date.now().toString(36)}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("API server URL").fill(url);
  await page.getByLabel("CA bundle (PEM)").fill(caData);
  await page.getByLabel("Token", { exact: true }).fill(token);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText("Connected")).toBeVisible();
  await expect(page.getByText("testbed-admin")).toBeVisible();
  await page.getByRole("button", { name: "Register cluster" }).click();

  await expect(page).toHaveURL(/\/clusters\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  const labels = page.getByRole("region", { name: "Labels, variables and description" });
  await labels.getByRole("button", { name: "Add label" }).click();
  await labels.getByLabel("Labels 1 key").fill("env");
  await labels.getByLabel("Labels 1 value").fill(name);
  await labels.getByRole("button", { name: "Save changes" }).click();
  await expect(labels.getByText("Saved.")).toBeVisible();

  const clusters = new ClustersPage(page);
  await clusters.goto(`?selector=env%3D${name}`);
  await expect(clusters.row(name)).toBeVisible();
  await expect(clusters.row("testbed-1")).toHaveCount(0);
  await page.getByLabel("Label selector").fill("env in (");
  await expect(page.getByText(/expected a label value|expected "," or "\)"/)).toBeVisible();
});

test("a wrong token is named in plain words before anything is saved", async ({ page }) => {
  const entries = await (await import("../testbed/harness")).status();
  await page.goto("/clusters/new");
  await page.getByLabel("Name").fill("wrong-token");
  await page.getByLabel("API server URL").fill(entries[0]!.server);
  await page.getByLabel("CA bundle (PEM)").fill(readFileSync(`${testbedDir}/testbed-1/ca.crt`, "utf8"));
  await page.getByLabel("Token", { exact: true }).fill("not-a-valid-token");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText("The credential was rejected (401 Unauthorized)")).toBeVisible();
  const [row] = await sql<{ n: string }>("SELECT count(*) AS n FROM clusters WHERE name = 'wrong-token'");
  expect(row?.n).toBe("0");
});

test("deleting a cluster requires typing its name", async ({ page }) => {
  const name = `doomed-${Date.now().toString(36)}`;
  const entries = await (await import("../testbed/harness")).status();
  await api(page.request, "POST", "/api/v1/clusters", {
    name,
    server: entries.find((entry) => entry.name === "testbed-1")!.server,
    caData: readFileSync(`${testbedDir}/testbed-1/ca.crt`, "utf8"),
    credential: { type: "token", token: readFileSync(`${testbedDir}/testbed-1/admin.token`, "utf8").trim() },
  });
  const clusters = new ClustersPage(page);
  await clusters.goto();
  await clusters.row(name).getByRole("link", { name }).click();
  const danger = page.getByRole("region", { name: "Delete" });
  const button = danger.getByRole("button", { name: "Delete cluster" });
  await expect(button).toBeDisabled();
  await danger.getByLabel(`Type ${name} to confirm`).fill(name.slice(0, -1));
  await expect(button).toBeDisabled();
  await danger.getByLabel(`Type ${name} to confirm`).fill(name);
  await button.click();
  await expect(page).toHaveURL(/\/clusters$/);
  await expect(clusters.row(name)).toHaveCount(0);
});
