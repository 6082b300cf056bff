import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import type { Response } from "@playwright/test";
import { testbedDir } from "../testbed/harness";
import { api, ensureTestbedClusters } from "./support/api";
import { sql } from "./support/database";
import { expect, test } from "./support/fixtures";
import { ADMIN } from "./support/paths";

/**
 * Issue 16 in the browser: the bulk rollout form takes a secret parameter in a password field,
 * the preview lists the Secret's keys masked, the release page says "set by … at …" and shows no
 * value. Every answer the browser got on the way (HTML, React Server Component payloads, JSON)
 * is searched for the canary, plain and base64; the value is checked on the clusters through
 * the audited reveal endpoint, outside the crawled browser session.
 */

test.describe.configure({ mode: "serial" });

const tag = randomBytes(3).toString("hex");
const NS = `e2e-sp-${tag}`;
const canary = `canary-e2e-${randomBytes(8).toString("hex")}`;
const SCHEMA = {
  type: "object",
  required: ["password"],
  properties: {
    password: { type: "string", writeOnly: true, title: "Database password" },
    user: { type: "string", default: "app" },
  },
};
const BODY = [
  "apiVersion: v1",
  "kind: Secret",
  "metadata:",
  "  name: db",
  `  namespace: ${NS}`,
  "stringData:",
  "  user: {{ params.user }}",
  "  password: {{ params.password }}",
  "---",
  "apiVersion: v1",
  "kind: ConfigMap",
  "metadata:",
  "  name: db-shout",
  `  namespace: ${NS}`,
  "data:",
  "  shout: {{ params.password | upcase }}",
  "",
].join("\n");

const run = promisify(execFile);
let ids: Record<string, string> = {};
let templateId = "";

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext({ storageState: ".e2e/admin.json" });
  ids = await ensureTestbedClusters(context.request);
  // The namespace exists before the preview (a dry-run cannot place a Secret in a namespace it would create).
  for (const name of ["testbed-1", "testbed-2", "testbed-3"])
    await run("kubectl", ["--kubeconfig", `${testbedDir}/kubeconfig`, "--context", name, "create", "namespace", NS]);
  const { template } = await api<{ template: { id: string } }>(context.request, "POST", "/api/v1/templates", {
    name: `e2e-secret-${tag}`,
    schema: SCHEMA,
    body: BODY,
    message: "secret parameter",
  });
  templateId = template.id;
  await context.close();
});

test.afterAll(async () => {
  for (const name of ["testbed-1", "testbed-2", "testbed-3"])
    await run("kubectl", [
      "--kubeconfig",
      `${testbedDir}/kubeconfig`,
      "--context",
      name,
      "delete",
      "namespace",
      NS,
      "--wait=false",
    ]).catch(() => null);
});

test("password field, masked preview, release page with set by … at …, and no canary in any answer", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const bodies: Array<Promise<{ url: string; text: string }>> = [];
  const keep = (response: Response) =>
    bodies.push(
      response
        .body()
        .then((buffer) => ({ url: response.url(), text: buffer.toString("utf8") }))
        .catch(() => ({ url: response.url(), text: "" })),
    );
  page.on("response", keep);

  await page.goto(`/rollouts/new?template=${templateId}`);
  await page.getByLabel("Release name").fill(`secret-${tag}`);
  const password = page.getByLabel("Database password");
  await expect(password).toHaveAttribute("type", "password");
  await expect(password).toHaveAttribute("placeholder", "Leave empty to keep the current value");
  await password.fill(canary);
  for (const name of ["testbed-1", "testbed-2", "testbed-3"]) await page.getByLabel(name, { exact: true }).check();
  await expect(page.getByTestId("matched-targets")).toHaveText("3 target cluster(s): testbed-1, testbed-2, testbed-3");

  await page.getByRole("button", { name: "Preview (server-side dry-run)" }).click();
  await expect(page.getByTestId("preview-secret-params")).toHaveText(
    "password: new value entered (sealed when the rollout starts)",
  );
  const first = page.getByTestId("preview-testbed-1");
  await first.locator("summary").first().click();
  const keys = first.getByTestId("secret-keys");
  await expect(keys).toContainText(/password: added \(hidden, fingerprint [0-9a-f]{12}\)/);
  await expect(keys).toContainText(/user: added \(hidden, fingerprint [0-9a-f]{12}\)/);
  // A ConfigMap built from the secret (upper-cased): listed, its content never shown.
  await expect(first.getByTestId("depends-on-secret")).toHaveText(
    "depends on a secret parameter: changed (content not shown)",
  );
  await expect(page.locator("body")).not.toContainText(canary);
  await expect(page.locator("body")).not.toContainText(canary.toUpperCase());

  await page.getByRole("button", { name: "Start rollout" }).click();
  await expect(page).toHaveURL(/\/rollouts\/[0-9a-f-]{36}$/);
  const rolloutUrl = page.url();
  await expect(page.getByTestId("rollout-state")).toHaveText("succeeded", { timeout: 180_000 });
  await expect(page.getByTestId("rollout-secret-params")).toContainText(
    new RegExp(`Secret parameter password: set by ${ADMIN.email} at .+ · fingerprint [0-9a-f]{12}`),
  );
  await expect(page.locator("body")).not.toContainText(canary);

  await page
    .getByRole("link", { name: `secret-${tag}` })
    .last()
    .click();
  await expect(page).toHaveURL(/\/releases\/[0-9a-f-]{36}$/);
  const secrets = page.getByTestId("release-secret-params");
  await expect(secrets).toContainText(new RegExp(`password: set by ${ADMIN.email} at .+ · fingerprint [0-9a-f]{12}`));
  await expect(page.locator("body")).not.toContainText(canary);
  const releaseUrl = page.url();

  // Pages an admin can reach about it, each loaded fresh (HTML) and navigated to (RSC payloads).
  for (const path of ["/rollouts", "/releases", "/audit", releaseUrl, rolloutUrl]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
    await expect(page.locator("body")).not.toContainText(canary);
  }
  // Client-side navigation too, so React Server Component payloads are among the answers.
  await page
    .getByRole("link", { name: `secret-${tag}` })
    .last()
    .click();
  await expect(page).toHaveURL(releaseUrl);
  await page.waitForLoadState("networkidle");

  const crawled = await Promise.all(bodies);
  expect(crawled.length).toBeGreaterThan(10);
  expect(crawled.some((entry) => entry.text.includes("set by") || entry.text.includes("setBy"))).toBe(true);
  expect(crawled.some((entry) => entry.url.includes("_rsc="))).toBe(true);
  const b64 = Buffer.from(canary).toString("base64");
  const leaks = crawled
    .filter(
      ({ text }) =>
        text.includes(canary) ||
        text.includes(canary.toUpperCase()) ||
        text.includes(b64) ||
        text.includes(b64.replace(/=+$/, "")),
    )
    .map(({ url }) => url);
  expect(leaks).toEqual([]);

  // The value did reach the clusters (checked outside the crawled session, through the audited reveal).
  const context = await browser.newContext({ storageState: ".e2e/admin.json" });
  for (const name of ["testbed-1", "testbed-2", "testbed-3"]) {
    const revealed = await api<{ data: Array<{ key: string; value: string }> }>(
      context.request,
      "POST",
      "/api/v1/inventory/secrets/reveal",
      { cluster: ids[name], namespace: NS, name: "db" },
    );
    expect(revealed.data.find((entry) => entry.key === "password")?.value).toBe(canary);
  }
  // Only ciphertext in the database: the sealed row exists, the canary is in no rollout row.
  expect(await sql("SELECT 1 FROM secret_params")).not.toHaveLength(0);
  expect(await sql(`SELECT 1 FROM rollouts WHERE params::text LIKE '%${canary}%'`)).toHaveLength(0);
  await context.close();
});
