import "server-only";
import type { InventoryRow } from "@/lib/api/inventory-types";
import type { Health, InventoryKind } from "@/lib/k8s/kinds";

/**
 * What the inventory keeps of each object: a small projection, not the object, so that
 * 40,000 objects fit in memory and secret values are never held (secrets arrive as
 * server-side Table rows with metadata only).
 */
export type InventoryItem = Omit<InventoryRow, "clusterId" | "clusterName"> & { resourceVersion: string };

type Meta = { name: string; namespace?: string; uid: string; labels?: Record<string, string>; creationTimestamp?: string; resourceVersion?: string; generation?: number };
type Condition = { type: string; status: string; reason?: string };
type PodTemplate = { spec?: { containers?: Array<{ image?: string }>; initContainers?: Array<{ image?: string }> } };

export interface KubeObject {
  metadata: Meta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

const num = (value: unknown, fallback = 0): number => (typeof value === "number" ? value : fallback);
const conditionsOf = (status: Record<string, unknown> | undefined): Condition[] =>
  Array.isArray(status?.conditions) ? (status!.conditions as Condition[]).map((c) => ({ type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}) })) : [];
const imagesOf = (template: PodTemplate | undefined): string[] => [
  ...new Set([...(template?.spec?.initContainers ?? []), ...(template?.spec?.containers ?? [])].map((c) => c.image ?? "").filter(Boolean)),
];
const has = (conditions: Condition[], type: string, status = "True") => conditions.some((c) => c.type === type && c.status === status);

function base(kind: InventoryKind, object: KubeObject): InventoryItem {
  return {
    kind,
    namespace: object.metadata.namespace ?? "",
    name: object.metadata.name,
    uid: object.metadata.uid,
    labels: object.metadata.labels ?? {},
    createdAt: object.metadata.creationTimestamp ?? "",
    resourceVersion: object.metadata.resourceVersion ?? "",
  };
}

/** Health rules, per kind, from the status the controllers write. */
export function projectWorkload(kind: InventoryKind, object: KubeObject): InventoryItem {
  const spec = object.spec ?? {};
  const status = object.status ?? {};
  const conditions = conditionsOf(status);
  const stale = num(status.observedGeneration, 0) < num(object.metadata.generation, 0);
  const item = base(kind, object);
  switch (kind) {
    case "deployments": {
      const desired = num(spec.replicas, 1);
      const updated = num(status.updatedReplicas);
      const available = num(status.availableReplicas);
      const total = num(status.replicas);
      const health: Health = spec.paused
        ? "suspended"
        : conditions.some((c) => c.type === "Progressing" && c.status === "False" && c.reason === "ProgressDeadlineExceeded")
          ? "failed"
          : stale || updated < desired || total > updated
            ? "progressing"
            : available < desired
              ? "degraded"
              : "healthy";
      return { ...item, ready: num(status.readyReplicas), desired, images: imagesOf(spec.template as PodTemplate), conditions, health };
    }
    case "statefulsets": {
      const desired = num(spec.replicas, 1);
      const ready = num(status.readyReplicas);
      const rolling = status.updateRevision !== undefined && status.currentRevision !== status.updateRevision;
      const health: Health = stale || rolling || num(status.updatedReplicas) < desired ? "progressing" : ready < desired ? "degraded" : "healthy";
      return { ...item, ready, desired, images: imagesOf(spec.template as PodTemplate), conditions, health };
    }
    case "daemonsets": {
      const desired = num(status.desiredNumberScheduled);
      const ready = num(status.numberReady);
      const health: Health = stale || num(status.updatedNumberScheduled) < desired ? "progressing" : ready < desired ? "degraded" : "healthy";
      return { ...item, ready, desired, images: imagesOf(spec.template as PodTemplate), conditions, health };
    }
    case "jobs": {
      const desired = num(spec.completions, 1);
      const health: Health = has(conditions, "Failed") ? "failed" : has(conditions, "Complete") ? "healthy" : spec.suspend ? "suspended" : "progressing";
      return { ...item, ready: num(status.succeeded), desired, images: imagesOf(spec.template as PodTemplate), conditions, health };
    }
    case "cronjobs": {
      const jobTemplate = spec.jobTemplate as { spec?: { template?: PodTemplate } } | undefined;
      const active = Array.isArray(status.active) ? status.active.length : 0;
      return { ...item, ready: active, desired: active, images: imagesOf(jobTemplate?.spec?.template), conditions, health: spec.suspend ? "suspended" : "healthy" };
    }
    default:
      return item;
  }
}

export function projectConfigMap(object: KubeObject): InventoryItem {
  const data = object.data ?? {};
  const binary = object.binaryData ?? {};
  const keys = [...Object.keys(data), ...Object.keys(binary)].sort();
  const size =
    Object.values(data).reduce((sum, value) => sum + Buffer.byteLength(value, "utf8"), 0) +
    Object.values(binary).reduce((sum, value) => sum + Math.floor((value.length * 3) / 4), 0);
  return { ...base("configmaps", object), keys, keyCount: keys.length, size };
}

/** A row of a server-side Table of secrets (`as=Table` with includeObject=Metadata): never values. */
export interface SecretTableRow {
  cells: unknown[];
  object: { metadata: Meta };
}

export function projectSecretRow(row: SecretTableRow, columns: string[]): InventoryItem {
  const typeIndex = columns.indexOf("Type");
  const dataIndex = columns.indexOf("Data");
  return {
    ...base("secrets", { metadata: row.object.metadata }),
    secretType: typeIndex >= 0 ? String(row.cells[typeIndex] ?? "") : undefined,
    keyCount: dataIndex >= 0 ? Number(row.cells[dataIndex] ?? 0) : undefined,
  };
}
