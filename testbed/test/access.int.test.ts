/**
 * Proof of the testbed's users: the admin token and the client certificate
 * have full rights; the scoped user may edit namespace team-a and nothing else.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { scopedNamespace } from "../harness";
import { clientsFor, startTestbed, statusOf, uniqueNamespace, type Clients } from "./support";

describe("testbed users", () => {
  let admin: Clients;
  let cert: Clients;
  let scoped: Clients;

  beforeAll(async () => {
    const tb = await startTestbed();
    const first = tb.clusters[0]!;
    admin = clientsFor(tb, first.context);
    cert = clientsFor(tb, first.certContext);
    scoped = clientsFor(tb, first.scopedContext);
  });

  it("the admin token can read cluster-wide", async () => {
    const nodes = await admin.core.listNode();
    expect(nodes.items.length).toBeGreaterThan(0);
  });

  it("the client certificate user can read and write cluster-wide", async () => {
    const namespaces = await cert.core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain("kube-system");
    const name = uniqueNamespace("proof-cert");
    await cert.core.createNamespace({ body: { metadata: { name } } });
    await cert.core.deleteNamespace({ name });
  });

  it(`the scoped user can create and read configmaps, secrets and deployments in ${scopedNamespace}`, async () => {
    const name = uniqueNamespace("proof-scoped");
    await scoped.core.createNamespacedConfigMap({
      namespace: scopedNamespace,
      body: { metadata: { name }, data: { a: "1" } },
    });
    await scoped.core.createNamespacedSecret({
      namespace: scopedNamespace,
      body: { metadata: { name }, stringData: { a: "1" } },
    });
    expect((await scoped.core.readNamespacedSecret({ name, namespace: scopedNamespace })).data?.a).toBe(
      Buffer.from("1").toString("base64"),
    );
    const deployments = await scoped.apps.listNamespacedDeployment({ namespace: scopedNamespace });
    expect(Array.isArray(deployments.items)).toBe(true);
    await scoped.core.deleteNamespacedConfigMap({ name, namespace: scopedNamespace });
    await scoped.core.deleteNamespacedSecret({ name, namespace: scopedNamespace });
  });

  it(`the scoped user is denied (403) outside ${scopedNamespace}`, async () => {
    expect(await statusOf(scoped.core.listNamespacedConfigMap({ namespace: "default" }))).toBe(403);
    expect(await statusOf(scoped.core.listNamespacedSecret({ namespace: "kube-system" }))).toBe(403);
    expect(await statusOf(scoped.apps.listDeploymentForAllNamespaces())).toBe(403);
    expect(await statusOf(scoped.core.listNamespace())).toBe(403);
    expect(await statusOf(scoped.core.listNode())).toBe(403);
    expect(
      await statusOf(
        scoped.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "nope" } } }),
      ),
    ).toBe(403);
  });

  it("the scoped user cannot grant itself more rights", async () => {
    expect(
      await statusOf(
        scoped.kc.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
          namespace: scopedNamespace,
          body: {
            metadata: { name: "escalate" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "testbed-scoped" }],
          },
        }),
      ),
    ).toBe(403);
  });
});
