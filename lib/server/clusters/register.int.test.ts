import { generateKeyPairSync } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Testbed } from "@/testbed/harness";
import { db } from "@/lib/server/db/client";
import { AppError } from "@/lib/server/errors/app-error";
import { protectOwnEndpoints } from "@/lib/server/kube/protected-endpoints";
import { resetDatabase } from "@/lib/testing/reset-database";
import { kubeconfigText, registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { checkRegisteredCluster, checkUnsavedConnection } from "./check-connection";
import { importClusters, previewKubeconfig, registerCluster } from "./register";
import { updateCluster } from "./update";

let tb: Testbed;
const APP_PORT = 3212;

beforeAll(async () => {
  tb = await testbed();
  await protectOwnEndpoints({ databaseUrl: process.env.DATABASE_URL!, appPort: APP_PORT });
});
beforeEach(resetDatabase);

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("registering clusters", () => {
  it("with a bearer token: connects and reports version, counts and identity", async () => {
    const cluster = await registerCluster(registrationFor(tb, "testbed-1", "tb1-token", { labels: { env: "test" } }));
    const result = await checkRegisteredCluster(cluster.id);
    expect(result).toMatchObject({
      ok: true,
      identity: "testbed-admin",
      kubernetesVersion: expect.stringMatching(/^v1\.3[4-9]/),
    });
    expect(result.nodeCount).toBeGreaterThan(0);
    expect(result.namespaceCount).toBeGreaterThan(0);
    const stored = await db().cluster.findUniqueOrThrow({ where: { id: cluster.id } });
    expect(stored.status).toBe("reachable");
  });

  it("with a client certificate", async () => {
    const cluster = await registerCluster(registrationFor(tb, "testbed-1-cert", "tb1-cert"));
    expect(cluster.authType).toBe("client_certificate");
    expect(await checkRegisteredCluster(cluster.id)).toMatchObject({ ok: true, identity: "testbed-cert-admin" });
  });

  it("tests settings before saving without storing anything", async () => {
    const input = registrationFor(tb, "testbed-2", "unsaved");
    expect(await checkUnsavedConnection(input)).toMatchObject({ ok: true });
    expect(await db().cluster.count()).toBe(0);
  });

  it("by kubeconfig import: many contexts in one step", async () => {
    const kubeconfig = kubeconfigText(tb);
    const preview = previewKubeconfig(kubeconfig);
    expect(preview.map((entry) => entry.context)).toEqual(
      expect.arrayContaining(["testbed-1", "testbed-2", "testbed-3", "testbed-1-cert"]),
    );
    const clusters = await importClusters({
      kubeconfig,
      contexts: [
        { context: "testbed-1", name: "imported-1", description: "", labels: { env: "prod" } },
        { context: "testbed-2", name: "imported-2", description: "", labels: {} },
        { context: "testbed-3", name: "imported-3", description: "", labels: {} },
        { context: "testbed-2-cert", name: "imported-2-cert", description: "", labels: {} },
      ],
    });
    expect(clusters.map((c) => c.name)).toEqual(["imported-1", "imported-2", "imported-3", "imported-2-cert"]);
    for (const cluster of clusters) expect(await checkRegisteredCluster(cluster.id)).toMatchObject({ ok: true });
  });

  it("by kubeconfig import: one bad entry stores nothing", async () => {
    await registerCluster(registrationFor(tb, "testbed-1", "taken"));
    const failure = await rejection(
      importClusters({
        kubeconfig: kubeconfigText(tb),
        contexts: [
          { context: "testbed-2", name: "fresh", description: "", labels: {} },
          { context: "testbed-3", name: "taken", description: "", labels: {} },
        ],
      }),
    );
    expect(failure.status).toBe(400);
    expect(failure.options.fields).toHaveProperty(["contexts.1.name"]);
    expect(await db().cluster.count()).toBe(1);
  });
});

describe("bad registration input (400 naming the field, nothing stored)", () => {
  const kubeconfigWith = (user: string) => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: { server: "https://127.0.0.1:6443" }
users:
- name: u
  user: ${user}
contexts:
- name: ctx
  context: { cluster: c, user: u }
`;

  it.each([
    ["malformed YAML", "clusters: [unclosed", /not valid YAML/],
    ["a YAML scalar", "just a string", /must be a YAML mapping/],
    ["no contexts", "apiVersion: v1\nclusters: []\nusers: []\ncontexts: []\n", /no contexts/],
  ])("kubeconfig: %s", async (_label, kubeconfig, message) => {
    const failure = await rejection(
      importClusters({ kubeconfig, contexts: [{ context: "ctx", name: "x", description: "", labels: {} }] }),
    );
    expect(failure.options.fields?.kubeconfig?.[0]).toMatch(message);
    expect(await db().cluster.count()).toBe(0);
  });

  it.each([
    ["exec plugin", "{ exec: { command: aws, apiVersion: client.authentication.k8s.io/v1 } }", /exec plugin/],
    ["auth-provider", "{ auth-provider: { name: gcp } }", /auth-provider/],
    ["basic auth", "{ username: admin, password: secret }", /Basic authentication/],
    ["token file", "{ tokenFile: /var/run/token }", /file path/],
  ])("a kubeconfig user with %s is refused with the reason", async (_label, user, reason) => {
    const [candidate] = previewKubeconfig(kubeconfigWith(user));
    expect(candidate?.problem).toMatch(reason);
    const failure = await rejection(
      importClusters({
        kubeconfig: kubeconfigWith(user),
        contexts: [{ context: "ctx", name: "x", description: "", labels: {} }],
      }),
    );
    expect(failure.options.fields?.["contexts.0.context"]?.[0]).toMatch(reason);
  });

  it("duplicate cluster name", async () => {
    await registerCluster(registrationFor(tb, "testbed-1", "dup"));
    const failure = await rejection(registerCluster(registrationFor(tb, "testbed-2", "dup")));
    expect(failure.options.fields?.name?.[0]).toMatch(/already exists/);
    expect(await db().cluster.count()).toBe(1);
  });

  it("a client key that does not match the certificate", async () => {
    const input = registrationFor(tb, "testbed-1-cert", "mismatch");
    const otherKey = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const failure = await rejection(
      registerCluster({
        ...input,
        credential: {
          ...(input.credential as { type: "client_certificate"; certificate: string; key: string }),
          key: otherKey,
        },
      }),
    );
    expect(failure.options.fields?.["credential.key"]?.[0]).toMatch(/does not match/);
  });

  it("a CA bundle with a corrupt certificate", async () => {
    const input = registrationFor(tb, "testbed-1", "badca");
    const failure = await rejection(
      registerCluster({ ...input, caData: "-----BEGIN CERTIFICATE-----\nnot-base64!!\n-----END CERTIFICATE-----" }),
    );
    expect(failure.options.fields?.caData?.[0]).toMatch(/not a valid X.509/);
  });

  it.each([
    ["https://169.254.169.254/", /link-local and cloud metadata/],
    ["https://[fe80::1]:6443/", /link-local and cloud metadata/],
    ["https://[fd00:ec2::254]/", /link-local and cloud metadata/],
  ])("server %s is refused", async (server, reason) => {
    const failure = await rejection(registerCluster({ ...registrationFor(tb, "testbed-1", "ssrf"), server }));
    expect(failure.options.fields?.server?.[0]).toMatch(reason);
    expect(await db().cluster.count()).toBe(0);
  });

  it("the app's own database address is refused", async () => {
    const databaseUrl = new URL(process.env.DATABASE_URL!);
    const failure = await rejection(
      registerCluster({ ...registrationFor(tb, "testbed-1", "db"), server: `https://127.0.0.1:${databaseUrl.port}` }),
    );
    expect(failure.options.fields?.server?.[0]).toMatch(/own database/);
  });

  /** Issue 12: every spelling of this machine reaches the database or the web server just the same. */
  const ownSpellings = [
    "127.0.0.1",
    "127.0.0.1.",
    "127.1",
    "2130706433",
    "0177.0.0.1",
    "0x7f.1",
    "0x7f000001",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[0:0:0:0:0:ffff:7f00:1]",
    "[::127.0.0.1]",
    "[::7f00:1]",
    "[64:ff9b::7f00:1]",
    "localhost",
  ];
  it.each(ownSpellings)(
    "%s on the database port is refused for register, test and edit, named as the database",
    async (host) => {
      const port = new URL(process.env.DATABASE_URL!).port;
      const server = `https://${host}:${port}`;
      const registered = await rejection(registerCluster({ ...registrationFor(tb, "testbed-1", "db"), server }));
      expect(registered.options.fields?.server?.[0]).toMatch(/Archipelago's own database/);
      const tested = await rejection(checkUnsavedConnection({ ...registrationFor(tb, "testbed-1", "db"), server }));
      expect(tested.options.fields?.server?.[0]).toMatch(/Archipelago's own database/);
      const cluster = await registerCluster(registrationFor(tb, "testbed-1", "edit-me"));
      const edited = await rejection(updateCluster(cluster.id, { server }));
      expect(edited.options.fields?.server?.[0]).toMatch(/Archipelago's own database/);
    },
  );

  it.each(ownSpellings)("%s on the web server's port is refused and named as the web server", async (host) => {
    const failure = await rejection(
      registerCluster({ ...registrationFor(tb, "testbed-1", "app"), server: `https://${host}:${APP_PORT}` }),
    );
    expect(failure.options.fields?.server?.[0]).toMatch(/Archipelago's own web server/);
    expect(failure.options.fields?.server?.[0]).not.toMatch(/database/);
  });

  it.each(["0.0.0.0", "0", "[::]", "[::ffff:0.0.0.0]", "0x0"])(
    "the unspecified address %s is refused on any port",
    async (host) => {
      const failure = await rejection(
        registerCluster({ ...registrationFor(tb, "testbed-1", "any"), server: `https://${host}:16443` }),
      );
      expect(failure.options.fields?.server?.[0]).toMatch(/unspecified address/);
    },
  );

  it("a stored URL in a bypass spelling is refused again at connect time", async () => {
    const cluster = await registerCluster(registrationFor(tb, "testbed-1", "stored"));
    const port = new URL(process.env.DATABASE_URL!).port;
    await db().cluster.update({
      where: { id: cluster.id },
      data: { server: `https://[::ffff:7f00:1]:${port}`, revision: { increment: 1 } },
    });
    const result = await checkRegisteredCluster(cluster.id);
    expect(result).toMatchObject({
      ok: false,
      error: { code: "blocked_address", message: expect.stringMatching(/own database/) },
    });
  });
});
