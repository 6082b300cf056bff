import "server-only";
import { stringify } from "yaml";
import type { ObjectDetail } from "@/lib/api/inventory-types";
import { KINDS, type InventoryKind } from "@/lib/k8s/kinds";
import { requireAllowed } from "@/lib/server/access/guard";
import { secretAccessFor, type AccessProfile } from "@/lib/server/access/policy";
import { userClusterClient } from "@/lib/server/access/user-cluster";
import { notFound } from "@/lib/server/errors/app-error";
import { answeringForCluster } from "@/lib/server/kube/errors";
import { boundRemoteText } from "@/lib/server/redact/remote-text";
import { fetchObject, presentable } from "./fetch-object";

interface EventItem {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string | null;
  eventTime?: string | null;
}
interface PodItem {
  metadata: { name: string; creationTimestamp?: string };
  spec?: { nodeName?: string };
  status?: { phase?: string; containerStatuses?: Array<{ ready: boolean; restartCount: number }> };
}

/** The drawer: YAML, and for workloads their events and pods. Secret values never leave here. */
export async function objectDetail(
  profile: AccessProfile,
  input: { cluster: string; kind: InventoryKind; namespace: string; name: string },
): Promise<ObjectDetail> {
  const secret = input.kind === "secrets";
  requireAllowed(
    profile,
    { clusterId: input.cluster, namespace: input.namespace, level: "view", secrets: secret ? "metadata" : undefined },
    KINDS[input.kind].kind,
  );
  const client = await userClusterClient(profile, input.cluster);
  const object = await answeringForCluster(client.clusterName, () =>
    fetchObject(client, input.kind, input.namespace, input.name),
  );
  if (!object) throw notFound(KINDS[input.kind].kind);

  const detail: ObjectDetail = {
    clusterId: input.cluster,
    clusterName: client.clusterName,
    kind: input.kind,
    namespace: input.namespace,
    name: input.name,
    yaml: stringify(presentable(input.kind, object)),
    events: [],
    pods: [],
    canReveal: secret && secretAccessFor(profile, input.cluster, input.namespace) === "reveal",
  };
  if (secret) {
    detail.secretKeys = Object.entries(object.data ?? {})
      .map(([key, value]) => ({ key, size: Buffer.from(value, "base64").length }))
      .sort((a, b) => a.key.localeCompare(b.key));
    return detail;
  }
  if (KINDS[input.kind].category !== "workloads") return detail;

  const [events, pods] = await Promise.all([
    client.transport
      .json<{ items: EventItem[] }>(
        {
          method: "GET",
          path: `/api/v1/namespaces/${input.namespace}/events`,
          query: {
            fieldSelector: `involvedObject.name=${input.name},involvedObject.kind=${KINDS[input.kind].kind}`,
            limit: 50,
          },
        },
        client.headers,
      )
      .catch(() => ({ items: [] as EventItem[] })),
    podSelector(input.kind, object)
      ? client.transport
          .json<{ items: PodItem[] }>(
            {
              method: "GET",
              path: `/api/v1/namespaces/${input.namespace}/pods`,
              query: { labelSelector: podSelector(input.kind, object)!, limit: 200 },
            },
            client.headers,
          )
          .catch(() => ({ items: [] as PodItem[] }))
      : Promise.resolve({ items: [] as PodItem[] }),
  ]);
  detail.events = events.items
    .map((event) => ({
      type: boundRemoteText(event.type, 32),
      reason: boundRemoteText(event.reason, 64),
      message: boundRemoteText(event.message),
      count: event.count ?? 1,
      lastSeen: event.lastTimestamp ?? event.eventTime ?? null,
    }))
    .sort((a, b) => (b.lastSeen ?? "").localeCompare(a.lastSeen ?? ""));
  detail.pods = pods.items.map((pod) => {
    const statuses = pod.status?.containerStatuses ?? [];
    return {
      name: pod.metadata.name,
      phase: pod.status?.phase ?? "Unknown",
      ready: `${statuses.filter((s) => s.ready).length}/${statuses.length}`,
      restarts: statuses.reduce((sum, s) => sum + s.restartCount, 0),
      node: pod.spec?.nodeName ?? null,
      createdAt: pod.metadata.creationTimestamp ?? "",
    };
  });
  return detail;
}

function podSelector(
  kind: InventoryKind,
  object: { metadata: { uid?: string }; spec?: { selector?: { matchLabels?: Record<string, string> } } },
): string | null {
  if (kind === "jobs" && object.metadata.uid) return `batch.kubernetes.io/controller-uid=${object.metadata.uid}`;
  const labels = object.spec?.selector?.matchLabels;
  if (!labels || Object.keys(labels).length === 0) return null;
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}
