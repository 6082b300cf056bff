import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { APIRequestContext, APIResponse } from "@playwright/test";
import { status, testbedDir } from "../testbed/harness";
import { sql } from "./support/database";
import { expect, test } from "./support/fixtures";
import { E2E_BASE_URL, E2E_SERVER_LOG } from "./support/paths";

// The cluster API on the real server, with the admin's session. Every response body is
// kept so the canary test can prove no credential ever comes back.

const headers = { origin: E2E_BASE_URL };
const bodies: string[] = [];

async function call(
  request: APIRequestContext,
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
  url: string,
  data?: unknown,
): Promise<APIResponse> {
  const response = await request.fetch(url, {
    method,
    headers: data === undefined ? headers : { ...headers, "content-type": "application/json" },
    data: data === undefined ? undefined : JSON.stringify(data),
  });
  bodies.push(await response.text());
  return response;
}

async function clusterCount(): Promise<number> {
  const [row] = await sql<{ n: string }>("SELECT count(*) AS n FROM clusters");
  return Number(row?.n);
}

async function testbedOne() {
  const server = (await status()).find((entry) => entry.name === "testbed-1")!.server;
  return { server, caData: readFileSync(`${testbedDir}/testbed-1/ca.crt`, "utf8") };
}

test("a canary credential never appears in any response body or server log line", async ({ page }) => {
  const request = page.request;
  const canaries = [`canary-${randomUUID()}`, `canary-${randomUUID()}`, `canary-${randomUUID()}`];
  const { server, caData } = await testbedOne();

  const created = await call(request, "POST", "/api/v1/clusters", {
    name: "canary",
    server,
    caData,
    credential: { type: "token", token: canaries[0] },
    labels: { canary: "yes" },
  });
  expect(created.status()).toBe(201);
  const id = (JSON.parse(bodies.at(-1)!) as { cluster: { id: string } }).cluster.id;

  expect((await call(request, "GET", "/api/v1/clusters")).status()).toBe(200);
  expect((await call(request, "GET", `/api/v1/clusters/${id}`)).status()).toBe(200);
  const tested = await call(request, "POST", `/api/v1/clusters/${id}/test`);
  expect((JSON.parse(bodies.at(-1)!) as { result: { error: { code: string } } }).result.error.code).toBe(
    "unauthorized",
  );
  expect(tested.status()).toBe(200);
  expect(
    (
      await call(request, "POST", "/api/v1/clusters/test", {
        server,
        caData,
        credential: { type: "token", token: canaries[0] },
      })
    ).status(),
  ).toBe(200);
  expect((await call(request, "PATCH", `/api/v1/clusters/${id}`, { description: "canary flows" })).status()).toBe(200);
  expect(
    (
      await call(request, "PUT", `/api/v1/clusters/${id}/credential`, {
        credential: { type: "token", token: canaries[1] },
      })
    ).status(),
  ).toBe(200);
  expect((await call(request, "POST", `/api/v1/clusters/${id}/test`)).status()).toBe(200);
  expect((await call(request, "GET", `/api/v1/clusters/${id}/health`)).status()).toBe(200);

  const kubeconfig = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}", certificate-authority-data: ${Buffer.from(caData).toString("base64")} } }]
users: [{ name: u, user: { token: ${canaries[2]} } }]
contexts: [{ name: canary-ctx, context: { cluster: c, user: u } }]
`;
  expect((await call(request, "POST", "/api/v1/clusters/import/preview", { kubeconfig })).status()).toBe(200);
  expect(
    (
      await call(request, "POST", "/api/v1/clusters/import", {
        kubeconfig,
        contexts: [{ context: "canary-ctx", name: "canary-imported" }],
      })
    ).status(),
  ).toBe(201);
  // Invalid requests must not echo what was sent either.
  expect(
    (
      await call(request, "POST", "/api/v1/clusters", {
        name: "Bad Name",
        server,
        credential: { type: "token", token: canaries[0] },
      })
    ).status(),
  ).toBe(400);

  // The pages that show the cluster carry no credential either.
  await page.goto(`/clusters/${id}`);
  await expect(page.getByRole("heading", { name: "canary", exact: true })).toBeVisible();
  bodies.push(await page.content());
  await page.goto("/clusters");
  await expect(page.getByTestId("cluster-row-canary")).toBeVisible();
  bodies.push(await page.content());

  // The health monitor (every 2 s in the browser tests) must have tried both canary clusters
  // with their canary credentials (and been refused) before the log is read.
  const imported = (await sql<{ id: string }>("SELECT id FROM clusters WHERE name = 'canary-imported'"))[0]!.id;
  const checkedAfter = new Date();
  await expect
    .poll(
      async () =>
        (
          await sql<{ id: string }>(
            `SELECT DISTINCT cluster_id AS id FROM cluster_health_checks
             WHERE cluster_id = ANY($1::uuid[]) AND checked_at > $2 AND error_code = 'unauthorized'`,
            [[id, imported], checkedAfter],
          )
        ).length,
      { timeout: 30_000, message: "the health monitor checks both canary clusters" },
    )
    .toBe(2);

  expect((await call(request, "DELETE", `/api/v1/clusters/${id}`)).status()).toBe(204);
  expect((await call(request, "DELETE", `/api/v1/clusters/${imported}`)).status()).toBe(204);

  // The whole log of this server (it logged its start), searched for every canary.
  const log = readFileSync(E2E_SERVER_LOG, "utf8");
  expect(log).toContain("database migrated");
  for (const canary of canaries) {
    for (const body of bodies) expect(body).not.toContain(canary);
    expect(log).not.toContain(canary);
  }
  const [stored] = await sql<{ text: string }>("SELECT string_agg(row_to_json(c)::text, '') AS text FROM clusters c");
  for (const canary of canaries) expect(stored?.text ?? "").not.toContain(canary);
});

test.describe("bad input answers 400 naming the field and stores nothing", () => {
  const cases: Array<[string, (base: Record<string, unknown>) => unknown, string, RegExp]> = [
    ["invalid label key", (base) => ({ ...base, labels: { "-bad": "x" } }), "labels.-bad", /must start and end/],
    ["invalid label value", (base) => ({ ...base, labels: { env: "has space" } }), "labels.env", /must start and end/],
    ["non-URL server", (base) => ({ ...base, server: "not a url" }), "server", /must be a URL/],
    ["plain-http server", (base) => ({ ...base, server: "http://127.0.0.1:6443" }), "server", /https/],
    ["non-PEM CA", (base) => ({ ...base, caData: "hello" }), "caData", /PEM/],
    [
      "non-PEM client certificate",
      (base) => ({
        ...base,
        credential: {
          type: "client_certificate",
          certificate: "nope",
          key: "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----",
        },
      }),
      "credential.certificate",
      /PEM/,
    ],
    [
      "unknown credential type",
      (base) => ({ ...base, credential: { type: "password", password: "x" } }),
      "credential.type",
      /token/,
    ],
    ["metadata address", (base) => ({ ...base, server: "https://169.254.169.254" }), "server", /metadata/],
  ];
  for (const [label, build, field, message] of cases) {
    test(label, async ({ page }) => {
      const { server, caData } = await testbedOne();
      const before = await clusterCount();
      const response = await call(
        page.request,
        "POST",
        "/api/v1/clusters",
        build({ name: `bad-${Date.now()}`, server, caData, credential: { type: "token", token: "x" } }),
      );
      expect(response.status()).toBe(400);
      const error = (JSON.parse(bodies.at(-1)!) as { error: { fields: Record<string, string[]> } }).error;
      expect(error.fields[field]?.join(" ")).toMatch(message);
      expect(await clusterCount()).toBe(before);
    });
  }

  test("duplicate name", async ({ page }) => {
    const { server, caData } = await testbedOne();
    const first = await call(page.request, "POST", "/api/v1/clusters", {
      name: "dup-target",
      server,
      caData,
      credential: { type: "token", token: "x" },
    });
    expect(first.status()).toBe(201);
    const before = await clusterCount();
    const second = await call(page.request, "POST", "/api/v1/clusters", {
      name: "dup-target",
      server,
      caData,
      credential: { type: "token", token: "y" },
    });
    expect(second.status()).toBe(400);
    expect(await second.json()).toMatchObject({
      error: { fields: { name: [expect.stringMatching(/already exists/)] } },
    });
    expect(await clusterCount()).toBe(before);
    const id = ((await first.json()) as { cluster: { id: string } }).cluster.id;
    expect((await call(page.request, "DELETE", `/api/v1/clusters/${id}`)).status()).toBe(204);
  });

  test("a client key that does not match its certificate", async ({ page }) => {
    const { server, caData } = await testbedOne();
    const certificate = readFileSync(`${testbedDir}/testbed-1/cert-user.crt`, "utf8");
    const key = readFileSync(`${testbedDir}/testbed-2/cert-user.key`, "utf8");
    const response = await call(page.request, "POST", "/api/v1/clusters", {
      name: "mismatch",
      server,
      caData,
      credential: { type: "client_certificate", certificate, key },
    });
    expect(response.status()).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { fields: { "credential.key": [expect.stringMatching(/does not match/)] } },
    });
  });

  for (const [label, kubeconfig, message] of [
    ["malformed kubeconfig YAML", "clusters: [", /not valid YAML/],
    ["empty kubeconfig", "   ", /empty/],
    [
      "kubeconfig without contexts",
      "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n",
      /no contexts/,
    ],
    ["a 5 MB kubeconfig upload", `# ${"x".repeat(5 * 1024 * 1024)}`, /at most 1 MB/],
  ] as const) {
    test(label, async ({ page }) => {
      const before = await clusterCount();
      const response = await call(page.request, "POST", "/api/v1/clusters/import/preview", { kubeconfig });
      expect(response.status()).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { fields: { kubeconfig: [expect.stringMatching(message)] } },
      });
      expect(await clusterCount()).toBe(before);
    });
  }

  test("unknown cluster ids answer 404", async ({ page }) => {
    expect((await call(page.request, "GET", "/api/v1/clusters/not-a-uuid")).status()).toBe(404);
    expect((await call(page.request, "GET", `/api/v1/clusters/${randomUUID()}`)).status()).toBe(404);
    expect((await call(page.request, "DELETE", `/api/v1/clusters/${randomUUID()}`)).status()).toBe(404);
  });

  test("an invalid label selector on the list answers 400 naming selector", async ({ page }) => {
    const response = await call(page.request, "GET", "/api/v1/clusters?selector=env%20in%20(");
    expect(response.status()).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { fields: { selector: [expect.stringMatching(/Invalid label selector/)] } },
    });
  });
});
