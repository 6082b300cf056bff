import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Testbed } from "@/testbed/harness";
import { transportFor } from "@/lib/server/clusters/connection";
import { db } from "@/lib/server/db/client";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { createAccessFixtures, type AccessFixtures } from "@/lib/testing/access-fixtures";
import { resetDatabase } from "@/lib/testing/reset-database";
import { testbed } from "@/lib/testing/testbed-clusters";
import { bindGroup, bindGroupInNamespace } from "@/lib/testing/cluster-rbac";
import { loadAccessProfile } from "./profile";
import { userClusterClient } from "./user-cluster";
import { createSsoProviderBodySchema } from "@/lib/schemas/sso";
import { createSsoProvider } from "@/lib/server/sso/providers";

const NAMESPACE = "impersonation-proof";
let tb: Testbed;
let f: AccessFixtures;

/** RBAC on the real cluster: group "alpha" may read configmaps in the namespace; "beta" nothing. */
async function installRbac(clusterId: string) {
  await bindGroupInNamespace(clusterId, {
    namespace: NAMESPACE,
    role: "configmap-reader",
    rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }],
    binding: "alpha-reads",
    group: "alpha",
  });
}

beforeAll(async () => {
  tb = await testbed();
});
beforeEach(async () => {
  await resetDatabase();
  forgetAllTransports();
  f = await createAccessFixtures(tb);
  // Beta is granted cluster A in Archipelago too: only the cluster's RBAC can stop it now.
  const beta = await db().team.findUniqueOrThrow({ where: { name: "beta" } });
  await db().grant.create({ data: { teamId: beta.id, clusterIds: [f.clusterA.id], namespaces: ["*"], level: "view" } });
  await installRbac(f.clusterA.id);
});

async function listConfigMapsAs(userId: string): Promise<number> {
  const user = await db().user.findUniqueOrThrow({ where: { id: userId } });
  const profile = await loadAccessProfile({ user, via: "session" });
  const client = await userClusterClient(profile, f.clusterA.id);
  const response = await client.transport.request(
    { method: "GET", path: `/api/v1/namespaces/${NAMESPACE}/configmaps` },
    client.headers,
  );
  return response.status;
}

describe("impersonation", () => {
  it("when enabled, the cluster's RBAC sees the user and their teams: alpha allowed, beta denied", async () => {
    await db().cluster.update({ where: { id: f.clusterA.id }, data: { impersonateUsers: true } });
    expect(await listConfigMapsAs(f.users.view.id)).toBe(200);
    expect(await listConfigMapsAs(f.users.other.id)).toBe(403);
  });

  it("when disabled, calls use Archipelago's own credential", async () => {
    expect(await listConfigMapsAs(f.users.view.id)).toBe(200);
    expect(await listConfigMapsAs(f.users.other.id)).toBe(200);
  });

  it("sends the user's email and team names", async () => {
    await db().cluster.update({ where: { id: f.clusterA.id }, data: { impersonateUsers: true } });
    const user = await db().user.findUniqueOrThrow({ where: { id: f.users.deploy.id } });
    const client = await userClusterClient(await loadAccessProfile({ user, via: "session" }), f.clusterA.id);
    expect(client.headers).toEqual({
      "impersonate-user": "deploy@example.com",
      "impersonate-group": ["alpha", "alpha-deploy"],
    });
    const review = await client.transport.json<{ status: { userInfo: { username: string; groups: string[] } } }>(
      {
        method: "POST",
        path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
      },
      client.headers,
    );
    expect(review.status.userInfo.username).toBe("deploy@example.com");
    expect(review.status.userInfo.groups).toEqual(expect.arrayContaining(["alpha", "alpha-deploy"]));
  });

  it("a single sign-on user's provider groups go along (with the provider's prefix), so the cluster's RBAC can bind them", async () => {
    await db().cluster.update({ where: { id: f.clusterA.id }, data: { impersonateUsers: true } });
    const provider = await createSsoProvider({
      ...createSsoProviderBodySchema.parse({
        slug: "corp",
        displayName: "Corp",
        issuer: "http://127.0.0.1:9",
        clientId: "archipelago",
        clientSecret: "not-used-here",
      }),
      clusterGroupPrefix: "oidc:",
    });
    // "other" is in team beta, which the cluster's RBAC does not let read; its provider group does.
    await db().user.update({
      where: { id: f.users.other.id },
      data: { ssoProviderId: provider.id, ssoSubject: "other-sub", ssoGroups: ["k8s-readers"] },
    });
    await bindGroup(f.clusterA.id, {
      namespace: NAMESPACE,
      role: "configmap-reader",
      binding: "oidc-readers",
      group: "oidc:k8s-readers",
    });
    try {
      const user = await db().user.findUniqueOrThrow({ where: { id: f.users.other.id } });
      const client = await userClusterClient(await loadAccessProfile({ user, via: "session" }), f.clusterA.id);
      expect(client.headers["impersonate-group"]).toEqual(["beta", "oidc:k8s-readers"]);
      expect(await listConfigMapsAs(f.users.other.id)).toBe(200);

      // Switched off at the provider: team names only, and the cluster refuses again.
      await db().ssoProvider.update({ where: { id: provider.id }, data: { sendGroupsToClusters: false } });
      expect(await listConfigMapsAs(f.users.other.id)).toBe(403);
    } finally {
      await (
        await transportFor(f.clusterA.id)
      ).request({
        method: "DELETE",
        path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${NAMESPACE}/rolebindings/oidc-readers`,
      });
    }
  });

  it("never sends a provider group unprefixed or as system:, so a group named system:masters gains nothing", async () => {
    await db().cluster.update({ where: { id: f.clusterA.id }, data: { impersonateUsers: true } });
    const provider = await createSsoProvider(
      createSsoProviderBodySchema.parse({
        slug: "corp",
        displayName: "Corp",
        issuer: "http://127.0.0.1:9",
        clientId: "archipelago",
        clientSecret: "not-used-here",
      }),
    );
    expect(provider.clusterGroupPrefix).toBe("oidc:");
    // "other" (team beta) may read nothing in the namespace; system:masters could read everything.
    await db().user.update({
      where: { id: f.users.other.id },
      data: { ssoProviderId: provider.id, ssoSubject: "other-sub", ssoGroups: ["system:masters"] },
    });
    const groupsSent = async () => {
      const user = await db().user.findUniqueOrThrow({ where: { id: f.users.other.id } });
      const client = await userClusterClient(await loadAccessProfile({ user, via: "session" }), f.clusterA.id);
      return client.headers["impersonate-group"];
    };
    expect(await groupsSent()).toEqual(["beta", "oidc:system:masters"]);
    expect(await listConfigMapsAs(f.users.other.id)).toBe(403);
    // Rows written before the rule (empty prefix, or one under system:) still send nothing of Kubernetes' own.
    for (const prefix of ["", "system:"]) {
      await db().ssoProvider.update({ where: { id: provider.id }, data: { clusterGroupPrefix: prefix } });
      expect(await groupsSent()).toEqual(["beta"]);
      expect(await listConfigMapsAs(f.users.other.id)).toBe(403);
    }
  });
});
