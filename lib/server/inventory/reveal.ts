import "server-only";
import { requireAllowed } from "@/lib/server/access/guard";
import type { AccessProfile } from "@/lib/server/access/policy";
import { userClusterClient } from "@/lib/server/access/user-cluster";
import { notFound } from "@/lib/server/errors/app-error";
import { answeringForCluster } from "@/lib/server/kube/errors";
import { fetchObject } from "./fetch-object";

export interface RevealedSecret {
  clusterName: string;
  /** Decoded values; binary values stay base64 and are flagged. */
  data: Array<{ key: string; value: string; encoding: "utf8" | "base64" }>;
}

/**
 * The only path by which a secret value leaves Archipelago: the caller must hold
 * `reveal` on the namespace, and the route writes an audit row for every attempt.
 */
export async function revealSecret(
  profile: AccessProfile,
  input: { cluster: string; namespace: string; name: string },
): Promise<RevealedSecret> {
  requireAllowed(
    profile,
    { clusterId: input.cluster, namespace: input.namespace, level: "view", secrets: "reveal" },
    "Secret",
  );
  const client = await userClusterClient(profile, input.cluster);
  const secret = await answeringForCluster(client.clusterName, () =>
    fetchObject(client, "secrets", input.namespace, input.name),
  );
  if (!secret) throw notFound("Secret");
  const data = Object.entries(secret.data ?? {}).map(([key, encoded]) => {
    const bytes = Buffer.from(encoded, "base64");
    const text = bytes.toString("utf8");
    const isText = Buffer.from(text, "utf8").equals(bytes) && !/[\u0000-\u0008\u000E-\u001F]/.test(text);
    return { key, value: isText ? text : encoded, encoding: isText ? ("utf8" as const) : ("base64" as const) };
  });
  return { clusterName: client.clusterName, data: data.sort((a, b) => a.key.localeCompare(b.key)) };
}
