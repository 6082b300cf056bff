import "server-only";
import pLimit from "p-limit";
import { KINDS, type InventoryKind } from "@/lib/k8s/kinds";
import { matchesAnyNamespace } from "@/lib/k8s/namespace-patterns";
import type { ExtraHeaders, ClusterTransport } from "@/lib/server/kube/transport";
import { classifyHttpStatus } from "@/lib/server/kube/errors";
import {
  projectConfigMap,
  projectSecretRow,
  projectWorkload,
  type InventoryItem,
  type KubeObject,
  type SecretTableRow,
} from "./project";

const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json";

/**
 * For clusters that impersonate users: no shared cache (its contents would be what
 * Archipelago may see, not what the user may), but live lists as the user, one per
 * namespace their grants cover, so the cluster's RBAC decides each one.
 */
export async function listAsUser(input: {
  systemTransport: ClusterTransport;
  userHeaders: ExtraHeaders;
  kinds: InventoryKind[];
  patterns: string[];
  timeoutMs: number;
  /** One deadline for the namespace list and every list after it (kube/deadline.ts). */
  signal?: AbortSignal;
}): Promise<{ items: InventoryItem[]; forbiddenNamespaces: number }> {
  const namespaces = await input.systemTransport.json<{ items: Array<{ metadata: { name: string } }> }>({
    method: "GET",
    path: "/api/v1/namespaces",
    timeoutMs: input.timeoutMs,
    signal: input.signal,
  });
  const targets = namespaces.items
    .map((ns) => ns.metadata.name)
    .filter((name) => matchesAnyNamespace(input.patterns, name));
  const limit = pLimit(8);
  let forbiddenNamespaces = 0;
  const items: InventoryItem[] = [];
  await Promise.all(
    targets.flatMap((namespace) =>
      input.kinds.map((kind) =>
        limit(async () => {
          const response = await input.systemTransport.request(
            {
              method: "GET",
              path: `${KINDS[kind].apiPath}/namespaces/${namespace}/${kind}`,
              accept: kind === "secrets" ? TABLE_ACCEPT : undefined,
              query: { includeObject: kind === "secrets" ? "Metadata" : undefined },
              timeoutMs: input.timeoutMs,
              signal: input.signal,
            },
            input.userHeaders,
          );
          if (response.status === 403) {
            forbiddenNamespaces += 1;
            return;
          }
          const failure = classifyHttpStatus(response.status);
          if (failure) throw failure;
          const body = JSON.parse(response.body.toString("utf8")) as {
            items?: KubeObject[];
            rows?: SecretTableRow[];
            columnDefinitions?: Array<{ name: string }>;
          };
          if (kind === "secrets") {
            const columns = (body.columnDefinitions ?? []).map((c) => c.name);
            for (const row of body.rows ?? []) items.push(projectSecretRow(row, columns));
          } else {
            for (const object of body.items ?? [])
              items.push(kind === "configmaps" ? projectConfigMap(object) : projectWorkload(kind, object));
          }
        }),
      ),
    ),
  );
  return { items, forbiddenNamespaces: Math.ceil(forbiddenNamespaces / Math.max(1, input.kinds.length)) };
}
