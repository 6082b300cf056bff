import "server-only";
import type { InventoryRow } from "@/lib/api/inventory-types";
import type { Health, InventoryKind } from "@/lib/k8s/kinds";

/**
 * What the inventory keeps of each object: a small projection, not the object, so that
 * 40,000 objects fit in memory and secret values are never held (secrets arrive as
 * server-side Table rows with metadata only).
 */
export type InventoryItem = Omit<InventoryRow, "clusterId" | "clusterName"> & { resourceVersion: string };

type Meta = {
  name: string;
  namespace?: string;
  uid: string;
  labels?: Record<string, string>;
  creationTimestamp?: string;
  resourceVersion?: string;
  generation?: number;
};
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
  Array.isArray(status?.conditions)
    ? (status!.conditions as Condition[]).map((c) => ({
        type: c.type,
        status: c.status,
        ...(c.reason ? { reason: c.reason } : {}),
      }))
    : [];
const imagesOf = (template: PodTemplate | undefined): string[] => [
  ...new Set(
    [...(template?.spec?.initContainers ?? []), ...(template?.spec?.containers ?? [])]
      .map((c) => c.image ?? "")
      .filter(Boolean),
  ),
];
const has = (conditions: Condition[], type: string, status = "True") =>
  conditions.some((c) => c.type === type && c.status === status);

/**
 * Every item has every field, set in one place in one order, so all 40,000 share one
 * hidden class: object spreads gave each kind (and often each object) its own, which cost
 * CPU on a cold list and megabytes of shapes in the cache.
 */
class Item implements InventoryItem {
  kind: InventoryKind;
  namespace: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  createdAt: string;
  resourceVersion: string;
  ready: number | undefined = undefined;
  desired: number | undefined = undefined;
  images: string[] | undefined = undefined;
  conditions: Condition[] | undefined = undefined;
  health: Health | undefined = undefined;
  keys: string[] | undefined = undefined;
  keyCount: number | undefined = undefined;
  size: number | undefined = undefined;
  secretType: string | undefined = undefined;

  constructor(kind: InventoryKind, metadata: Meta) {
    this.kind = kind;
    this.namespace = metadata.namespace ?? "";
    this.name = metadata.name;
    this.uid = metadata.uid;
    this.labels = metadata.labels ?? {};
    this.createdAt = metadata.creationTimestamp ?? "";
    this.resourceVersion = metadata.resourceVersion ?? "";
  }
}

function workloadItem(
  kind: InventoryKind,
  object: KubeObject,
  fields: { ready: number; desired: number; images: string[]; conditions: Condition[]; health: Health },
): InventoryItem {
  const item = new Item(kind, object.metadata);
  item.ready = fields.ready;
  item.desired = fields.desired;
  item.images = fields.images;
  item.conditions = fields.conditions;
  item.health = fields.health;
  return item;
}

/** Health rules, per kind, from the status the controllers write. */
export function projectWorkload(kind: InventoryKind, object: KubeObject): InventoryItem {
  const spec = object.spec ?? {};
  const status = object.status ?? {};
  const conditions = conditionsOf(status);
  const stale = num(status.observedGeneration, 0) < num(object.metadata.generation, 0);
  switch (kind) {
    case "deployments": {
      const desired = num(spec.replicas, 1);
      const updated = num(status.updatedReplicas);
      const available = num(status.availableReplicas);
      const total = num(status.replicas);
      const health: Health = spec.paused
        ? "suspended"
        : conditions.some(
              (c) => c.type === "Progressing" && c.status === "False" && c.reason === "ProgressDeadlineExceeded",
            )
          ? "failed"
          : stale || updated < desired || total > updated
            ? "progressing"
            : available < desired
              ? "degraded"
              : "healthy";
      return workloadItem(kind, object, {
        ready: num(status.readyReplicas),
        desired,
        images: imagesOf(spec.template as PodTemplate),
        conditions,
        health,
      });
    }
    case "statefulsets": {
      const desired = num(spec.replicas, 1);
      const ready = num(status.readyReplicas);
      const rolling = status.updateRevision !== undefined && status.currentRevision !== status.updateRevision;
      const health: Health =
        stale || rolling || num(status.updatedReplicas) < desired
          ? "progressing"
          : ready < desired
            ? "degraded"
            : "healthy";
      return workloadItem(kind, object, {
        ready,
        desired,
        images: imagesOf(spec.template as PodTemplate),
        conditions,
        health,
      });
    }
    case "daemonsets": {
      const desired = num(status.desiredNumberScheduled);
      const ready = num(status.numberReady);
      const health: Health =
        stale || num(status.updatedNumberScheduled) < desired
          ? "progressing"
          : ready < desired
            ? "degraded"
            : "healthy";
      return workloadItem(kind, object, {
        ready,
        desired,
        images: imagesOf(spec.template as PodTemplate),
        conditions,
        health,
      });
    }
    case "jobs": {
      const desired = num(spec.completions, 1);
      const health: Health = has(conditions, "Failed")
        ? "failed"
        : has(conditions, "Complete")
          ? "healthy"
          : spec.suspend
            ? "suspended"
            : "progressing";
      return workloadItem(kind, object, {
        ready: num(status.succeeded),
        desired,
        images: imagesOf(spec.template as PodTemplate),
        conditions,
        health,
      });
    }
    case "cronjobs": {
      const jobTemplate = spec.jobTemplate as { spec?: { template?: PodTemplate } } | undefined;
      const active = Array.isArray(status.active) ? status.active.length : 0;
      return workloadItem(kind, object, {
        ready: active,
        desired: active,
        images: imagesOf(jobTemplate?.spec?.template),
        conditions,
        health: spec.suspend ? "suspended" : "healthy",
      });
    }
    default:
      return new Item(kind, object.metadata);
  }
}

export function projectConfigMap(object: KubeObject): InventoryItem {
  const data = object.data ?? {};
  const binary = object.binaryData ?? {};
  const keys = [...Object.keys(data), ...Object.keys(binary)].sort();
  let size = 0;
  for (const key in data) size += Buffer.byteLength(data[key]!, "utf8");
  for (const key in binary) size += Math.floor((binary[key]!.length * 3) / 4);
  const item = new Item("configmaps", object.metadata);
  item.keys = keys;
  item.keyCount = keys.length;
  item.size = size;
  return item;
}

/** A row of a server-side Table of secrets (`as=Table` with includeObject=Metadata): never values. */
export interface SecretTableRow {
  cells: unknown[];
  object: { metadata: Meta };
}

export function projectSecretRow(row: SecretTableRow, columns: string[]): InventoryItem {
  const typeIndex = columns.indexOf("Type");
  const dataIndex = columns.indexOf("Data");
  const item = new Item("secrets", row.object.metadata);
  item.secretType = typeIndex >= 0 ? String(row.cells[typeIndex] ?? "") : undefined;
  item.keyCount = dataIndex >= 0 ? Number(row.cells[dataIndex] ?? 0) : undefined;
  return item;
}
