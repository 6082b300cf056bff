import "server-only";
import { KINDS, type InventoryKind } from "@/lib/k8s/kinds";
import type { UserClusterClient } from "@/lib/server/access/user-cluster";
import { isClusterCallError } from "@/lib/server/kube/errors";
import { maskObject } from "@/lib/server/redact/secret-mask";

export interface FullObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: unknown;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown> & { selector?: { matchLabels?: Record<string, string> } };
  status?: Record<string, unknown>;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
  [key: string]: unknown;
}

/** One object, read live through the caller's cluster client; null when it does not exist. */
export async function fetchObject(
  client: UserClusterClient,
  kind: InventoryKind,
  namespace: string,
  name: string,
  timeoutMs?: number,
): Promise<FullObject | null> {
  try {
    return await client.transport.json<FullObject>(
      {
        method: "GET",
        path: `${KINDS[kind].apiPath}/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}`,
        timeoutMs,
      },
      client.headers,
    );
  } catch (error) {
    if (isClusterCallError(error) && error.code === "not_found") return null;
    throw error;
  }
}

/** The object as people read it: no managedFields, and masked by its reference (no Secret value anywhere). */
export function presentable(kind: InventoryKind, object: FullObject): FullObject {
  const { managedFields: _managed, ...metadata } = object.metadata;
  return maskObject(refOfKind(kind), { ...object, metadata }) as FullObject;
}

/** The reference of an inventory kind, for masking: the kind comes from the request, not the object. */
export const refOfKind = (kind: InventoryKind) => ({ apiVersion: KINDS[kind].apiVersion, kind: KINDS[kind].kind });
