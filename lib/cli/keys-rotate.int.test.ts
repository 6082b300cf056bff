import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureNextBuildInBackground } from "@/lib/cli/steps/next-build";
import { transientTransport } from "@/lib/server/clusters/connection";
import { readKeyFile } from "@/lib/server/crypto/keyring";
import { startAppProcess, type AppProcess } from "@/lib/testing/app-process";
import { freePort } from "@/lib/testing/test-database";
import { kubeconfigText, registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import type { Testbed } from "@/testbed/harness";

/**
 * Issue 20, point 1: `npm run keys:rotate` run as its own process beside a running server
 * (`npm start`'s launcher, embedded default), then, without a restart, every sealed thing is
 * used by that server: a rollout that keeps a sealed secret parameter, a drift check that opens
 * it, a secret reference copied (its digests keyed by the sealed digest key), a cluster
 * registration and a kubeconfig import (sealing under the new key), a test of a stored cluster
 * credential and of an SSO client secret, and `audit:verify` (the sealed chain key) is clean.
 * Before the fix the server read the rotated key file again inside its server bundle, decided
 * the key source anew from a DATABASE_URL the start script had set to the embedded database,
 * found "No master key configured", and failed every one of these until a restart.
 */

const tag = randomBytes(3).toString("hex");
const NS = "team-a";
const canary = `canary-rotate-${randomBytes(8).toString("hex")}`;
const sourceValue = `canary-ref-${randomBytes(8).toString("hex")}`;
const b64 = (text: string) => Buffer.from(text).toString("base64");

let tb: Testbed;
let app: AppProcess;
let dataDir: string;
let base: string;
let token: string;
let ownerUrl: string;
const clusterIds: string[] = [];

async function api(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      origin: base,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown>, response };
}

/** A separate Node process, as `npm run <script>` runs it, against the running server's data dir. */
function tool(script: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TSX_TSCONFIG_PATH: "tsconfig.scripts.json",
    ARCHIPELAGO_DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
  };
  delete env.DATABASE_URL;
  delete env.ARCHIPELAGO_MASTER_KEY;
  // Asynchronously: a synchronous child would block the test worker's own messaging.
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      ["--import", "tsx", script, ...args],
      { env, encoding: "utf8" },
      (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    ),
  );
}

async function waitForRollout(id: string) {
  const until = Date.now() + 120_000;
  for (;;) {
    const got = await api("GET", `/api/v1/rollouts/${id}`);
    const rollout = got.body.rollout as {
      state: string;
      release: { id: string };
      targets: Array<{ error: string | null; state: string }>;
    };
    if (!["pending", "running", "paused", "rolling_back"].includes(rollout.state) || Date.now() > until) return rollout;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function rollout(releaseName: string, templateId: string, params: Record<string, unknown>) {
  const started = await api("POST", "/api/v1/rollouts", {
    releaseName,
    templateId,
    revision: 1,
    params,
    targets: { clusterIds },
    healthGate: { timeoutSeconds: 30 },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  return waitForRollout(started.body.rolloutId as string);
}

const transportOf = (context: string) => transientTransport(registrationFor(tb, context, "direct"));

async function liveSecret(context: string, name: string): Promise<Record<string, string>> {
  const transport = transportOf(context);
  try {
    const secret = await transport.json<{ data: Record<string, string> }>({
      method: "GET",
      path: `/api/v1/namespaces/${NS}/secrets/${name}`,
    });
    return Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
  } finally {
    transport.destroy();
  }
}

/** Every envelope's key id in the database, by table. */
async function storedKeyIds(): Promise<Record<string, string[]>> {
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  try {
    const ids = async (sql: string) => (await owner.query<{ kid: string }>(sql)).rows.map((row) => row.kid);
    return {
      clusters: await ids("SELECT credential_envelope->>'kid' AS kid FROM clusters"),
      ssoProviders: await ids("SELECT client_secret_envelope->>'kid' AS kid FROM sso_providers"),
      secretParams: await ids("SELECT envelope->>'kid' AS kid FROM secret_params"),
      sealedKeys: await ids("SELECT envelope->>'kid' AS kid FROM sealed_keys"),
    };
  } finally {
    await owner.end();
  }
}

beforeAll(async () => {
  await ensureNextBuildInBackground();
  tb = await testbed();
  const pgPort = await freePort();
  app = await startAppProcess(
    await freePort(),
    {
      DATABASE_URL: "",
      ARCHIPELAGO_MASTER_KEY: "",
      ARCHIPELAGO_MASTER_KEY_PREVIOUS: "",
      ARCHIPELAGO_MASTER_KEY_FILE: "",
      ARCHIPELAGO_EMBEDDED_PG_PORT: String(pgPort),
      ARCHIPELAGO_HEALTH_INTERVAL_SECONDS: "3600",
      ARCHIPELAGO_CLUSTER_TIMEOUT_MS: "5000",
    },
    { launcher: true },
  );
  dataDir = path.dirname(app.logFile);
  base = `http://127.0.0.1:${app.port}`;
  const password = readFileSync(path.join(dataDir, "postgres.password"), "utf8").trim();
  ownerUrl = `postgresql://postgres:${password}@127.0.0.1:${pgPort}/archipelago`;

  token = "";
  const setup = await api("POST", "/api/v1/setup", {
    email: "rotate@example.com",
    name: "Rotate",
    password: "a long enough password",
  });
  expect(setup.status).toBe(201);
  const cookie = setup.response.headers.getSetCookie().find((c) => c.startsWith("archipelago_session="))!;
  const created = await api(
    "POST",
    "/api/v1/me/tokens",
    { name: "rotation test", expiresInDays: 1 },
    { cookie: cookie.split(";")[0]! },
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  token = created.body.token as string;
}, 900_000);

afterAll(async () => {
  await app?.kill("SIGTERM");
  if (!tb) return;
  for (const context of ["testbed-1", "testbed-2"]) {
    const transport = transportOf(context);
    for (const name of [`kr-${tag}`, `kr-${tag}-copy`, `kr-${tag}-source`])
      await transport.request({ method: "DELETE", path: `/api/v1/namespaces/${NS}/secrets/${name}` }).catch(() => null);
    await transport
      .request({ method: "DELETE", path: `/api/v1/namespaces/${NS}/configmaps/kr-${tag}-note` })
      .catch(() => null);
    transport.destroy();
  }
});

describe("keys:rotate beside a running server (embedded default)", () => {
  it("leaves every sealed thing usable by the running server, without a restart", async () => {
    // Before: two clusters, a sealed secret parameter, a secret reference, an SSO client secret.
    for (const [index, context] of ["testbed-1", "testbed-2"].entries()) {
      const registered = await api("POST", "/api/v1/clusters", registrationFor(tb, context, `kr-${tag}-${index + 1}`));
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      clusterIds.push((registered.body.cluster as { id: string }).id);
    }
    const source = transportOf("testbed-1");
    await source.json({
      method: "POST",
      path: `/api/v1/namespaces/${NS}/secrets`,
      body: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: `kr-${tag}-source`, namespace: NS },
        data: { token: b64(sourceValue) },
      },
    });
    source.destroy();
    const template = await api("POST", "/api/v1/templates", {
      name: `kr-${tag}`,
      message: "sealed inputs",
      schema: {
        type: "object",
        required: ["password", "source"],
        properties: {
          password: { type: "string", writeOnly: true },
          source: { type: "object", format: "secret-reference" },
          note: { type: "string", default: "plain" },
        },
      },
      body: [
        "apiVersion: v1",
        "kind: Secret",
        "metadata:",
        `  name: kr-${tag}`,
        `  namespace: ${NS}`,
        "stringData:",
        "  password: {{ params.password }}",
        "---",
        "apiVersion: v1",
        "kind: Secret",
        "metadata:",
        `  name: kr-${tag}-copy`,
        `  namespace: ${NS}`,
        "type: Opaque",
        "data: {{ params.source | json }}",
        "---",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        `  name: kr-${tag}-note`,
        `  namespace: ${NS}`,
        "data:",
        "  note: {{ params.note }}",
        "",
      ].join("\n"),
    });
    expect(template.status, JSON.stringify(template.body)).toBe(201);
    const templateId = (template.body.template as { id: string }).id;
    const sourceRef = { cluster: clusterIds[0], namespace: NS, name: `kr-${tag}-source` };
    const first = await rollout(`kr-${tag}`, templateId, { password: canary, source: sourceRef });
    expect(first.state, JSON.stringify(first)).toBe("succeeded");
    const releaseId = first.release.id;
    const provider = await api("POST", "/api/v1/sso/providers", {
      slug: `kr${tag}`,
      displayName: "Rotation IdP",
      // Nothing listens there: the test below opens the secret, then finds the issuer unreachable.
      issuer: `http://127.0.0.1:${await freePort()}`,
      clientId: "archipelago",
      clientSecret: `client-secret-${tag}`,
    });
    expect(provider.status, JSON.stringify(provider.body)).toBe(201);
    const providerId = (provider.body.provider as { id: string }).id;
    const keyFile = path.join(dataDir, "master.key");
    const [oldKey] = readKeyFile(keyFile);

    // The rotation, as its own process, against the running server's embedded database.
    const rotated = await tool("lib/cli/keys-rotate.ts");
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/Master key rotation complete: current key [0-9a-f]{16}/);
    // The old key stays, open-only, until the next rotation; nothing is sealed under it.
    const keys = readKeyFile(keyFile);
    expect(keys.map((key) => key.id)).toEqual([keys[0]!.id, oldKey!.id]);
    const newKeyId = keys[0]!.id;
    expect(newKeyId).not.toBe(oldKey!.id);
    const kids = await storedKeyIds();
    for (const [table, ids] of Object.entries(kids)) {
      expect(ids.length, table).toBeGreaterThan(0);
      expect(new Set(ids), table).toEqual(new Set([newKeyId]));
    }

    // After, with the same server process: a rollout that keeps the sealed value and re-reads the reference.
    const kept = await rollout(`kr-${tag}`, templateId, { source: sourceRef, note: "after rotation" });
    expect(kept.state, JSON.stringify(kept)).toBe("succeeded");
    expect(kept.release.id).toBe(releaseId);
    for (const context of ["testbed-1", "testbed-2"]) {
      expect((await liveSecret(context, `kr-${tag}`)).password).toBe(canary);
      expect((await liveSecret(context, `kr-${tag}-copy`)).token).toBe(sourceValue);
    }
    // A drift check opens the sealed parameters and keys the reference's digests.
    const drift = await api("POST", `/api/v1/releases/${releaseId}/drift`, { heal: false });
    expect(drift.status, JSON.stringify(drift.body)).toBe(200);
    expect((drift.body.results as Array<{ state: string }>).map((r) => r.state)).toEqual(["in_sync", "in_sync"]);
    // A stored credential opens; a registration and an import seal under the new key.
    const tested = await api("POST", `/api/v1/clusters/${clusterIds[0]}/test`);
    expect(tested.status, JSON.stringify(tested.body)).toBe(200);
    expect((tested.body.result as { ok: boolean }).ok, JSON.stringify(tested.body)).toBe(true);
    const registered = await api("POST", "/api/v1/clusters", registrationFor(tb, "testbed-3", `kr-${tag}-3`));
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const imported = await api("POST", "/api/v1/clusters/import", {
      kubeconfig: kubeconfigText(tb),
      contexts: [{ context: "testbed-2-cert", name: `kr-${tag}-imported` }],
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const importedId = (imported.body.clusters as Array<{ id: string }>)[0]!.id;
    const importedTest = await api("POST", `/api/v1/clusters/${importedId}/test`);
    expect((importedTest.body.result as { ok: boolean }).ok, JSON.stringify(importedTest.body)).toBe(true);
    // The SSO client secret opens (it is opened before the issuer is asked).
    const sso = await api("POST", "/api/v1/sso/providers/test", { providerId });
    expect(sso.status, JSON.stringify(sso.body)).toBe(200);
    expect(new Set(Object.values(await storedKeyIds()).flat())).toEqual(new Set([newKeyId]));

    // The audit chain (keyed by the sealed chain key) verifies in a separate process.
    const verified = await tool("lib/cli/audit-verify.ts");
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/[1-9]\d* audit rows checked, 0 problem\(s\)/);

    const log = readFileSync(app.logFile, "utf8");
    expect(log).not.toContain("No master key configured");
    expect(log).toContain("master keyring reloaded");
    // Never key material in the server's log.
    for (const key of [oldKey!, keys[0]!]) expect(log).not.toContain(key.key.toString("base64"));
  }, 600_000);
});
