import { transportFor } from "@/lib/server/clusters/connection";

/** Server-side apply with the cluster's registered (admin) credential, as a test's kubectl would. */
export async function applyAsAdmin(clusterId: string, path: string, body: object): Promise<void> {
  await (
    await transportFor(clusterId)
  ).json({
    method: "PATCH",
    path,
    query: { fieldManager: "archipelago-tests", force: true },
    body,
    contentType: "application/apply-patch+yaml",
  });
}

/**
 * A namespace, a Role with `rules` in it, and a RoleBinding of that Role to `group`: the RBAC
 * that impersonation tests use to see which groups the API server really received.
 */
export async function bindGroupInNamespace(
  clusterId: string,
  input: { namespace: string; role: string; rules: object[]; binding: string; group: string },
): Promise<void> {
  const { namespace, role } = input;
  await applyAsAdmin(clusterId, `/api/v1/namespaces/${namespace}`, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: namespace },
  });
  await applyAsAdmin(clusterId, `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles/${role}`, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: role, namespace },
    rules: input.rules,
  });
  await bindGroup(clusterId, { namespace, role, binding: input.binding, group: input.group });
}

/** Binds one more group to an existing Role. */
export async function bindGroup(
  clusterId: string,
  input: { namespace: string; role: string; binding: string; group: string },
): Promise<void> {
  const { namespace, binding } = input;
  await applyAsAdmin(clusterId, `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings/${binding}`, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: binding, namespace },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: input.role },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: input.group }],
  });
}
