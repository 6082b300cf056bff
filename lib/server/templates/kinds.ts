import "server-only";

/**
 * Kinds whose objects have no namespace. Used by lint before a cluster is asked; at
 * preview time the API server's own answer (dry-run) has the last word.
 */
const CLUSTER_SCOPED_KINDS = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "StorageClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "APIService",
  "PriorityClass",
  "RuntimeClass",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "IngressClass",
  "CertificateSigningRequest",
  "FlowSchema",
  "PriorityLevelConfiguration",
]);

/** Objects that grant permissions: creating them needs `manage`, whatever their namespace. */
export function isRbac(apiVersion: string): boolean {
  return apiVersion.startsWith("rbac.authorization.k8s.io/");
}

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind);
}

/** REST path pieces for a kind: /api/v1 or /apis/<group>/<version>, and the plural. */
export function restPath(apiVersion: string, kind: string): { prefix: string; plural: string } {
  const prefix = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const lower = kind.toLowerCase();
  const irregular: Record<string, string> = {
    endpoints: "endpoints",
    networkpolicy: "networkpolicies",
    ingress: "ingresses",
    podsecuritypolicy: "podsecuritypolicies",
    priorityclass: "priorityclasses",
    storageclass: "storageclasses",
    ingressclass: "ingressclasses",
    runtimeclass: "runtimeclasses",
  };
  const plural =
    irregular[lower] ??
    (lower.endsWith("s") ? `${lower}es` : lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : `${lower}s`);
  return { prefix, plural };
}
