import { beforeAll, describe, expect, it } from "vitest";
import type { Testbed } from "@/testbed/harness";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { db } from "@/lib/server/db/client";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import type { Manifest } from "@/lib/server/templates/documents";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { bindGroupInNamespace } from "@/lib/testing/cluster-rbac";
import { executor } from "./hub-push";

/**
 * Applies on a cluster that impersonates carry what access/impersonation.ts says about the
 * user: email, team names and a single sign-on user's provider groups, never a `system:` group.
 * The cluster's RBAC here lets only the provider group write ConfigMaps in one namespace, so
 * the answer shows which groups the API server really saw.
 */

const NAMESPACE = "impersonated-apply";
let tb: Testbed;
let clusterId: string;

const configMap = (name: string): Manifest => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: NAMESPACE },
  data: { written: "by an impersonated apply" },
});

beforeAll(async () => {
  tb = await testbed();
  forgetAllTransports();
  await resetDatabase();
  clusterId = (await registerCluster(registrationFor(tb, "testbed-1", "imp-1"))).id;
  await bindGroupInNamespace(clusterId, {
    namespace: NAMESPACE,
    role: "configmap-writer",
    rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "create", "patch", "update"] }],
    binding: "oidc-deployers",
    group: "oidc:deployers",
  });
  await db().cluster.update({ where: { id: clusterId }, data: { impersonateUsers: true } });
  forgetAllTransports();
}, 300_000);

const applyAs = (name: string, providerGroups: string[] | undefined) =>
  executor.apply(clusterId, [configMap(name)], {
    dryRun: false,
    force: true,
    actor: { email: "sso-user@example.com", teams: ["payments"], providerGroups },
  });

describe("an apply on a cluster that impersonates", () => {
  it("sends the provider's groups, so the cluster's RBAC can bind them; without them the cluster refuses", async () => {
    const [allowed] = await applyAs("with-group", ["oidc:deployers"]);
    expect(allowed?.error).toBeUndefined();
    const live = await (
      await transportFor(clusterId)
    ).json<{ data: Record<string, string> }>({
      method: "GET",
      path: `/api/v1/namespaces/${NAMESPACE}/configmaps/with-group`,
    });
    expect(live.data.written).toBe("by an impersonated apply");

    const [refused] = await applyAs("without-group", undefined);
    expect(refused?.error).toBeDefined();
  });

  it("never claims a system: group, whatever the provider sent", async () => {
    const [refused] = await applyAs("system-group", ["system:masters"]);
    expect(refused?.error).toBeDefined();
  });
});
