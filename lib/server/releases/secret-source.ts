import "server-only";
import type { SecretReference } from "@/lib/schemas/templates";
import { transportFor } from "@/lib/server/clusters/connection";
import { db } from "@/lib/server/db/client";
import { classifyClusterError } from "@/lib/server/kube/errors";
import type { ExtraHeaders } from "@/lib/server/kube/transport";
import type { ApplyOptions } from "./executor";

/**
 * Reads a secret reference's source at the moment it is needed (apply, dry-run, drift) with
 * the source cluster's connection, as the author where that cluster impersonates users. The
 * data goes straight into the render and is never stored. Every failure is a plain reason
 * naming the source, never a remote answer and never a value.
 */

export class SourceSecretError extends Error {
  override name = "SourceSecretError";
}

const described = (ref: SecretReference, clusterName: string) =>
  `source Secret ${ref.namespace}/${ref.name} on cluster ${clusterName}`;

/** The referenced data: key → base64 value (only the keys asked for, when some are). */
export async function readSourceSecret(
  ref: SecretReference,
  actor: ApplyOptions["actor"],
): Promise<Record<string, string>> {
  const cluster = await db().cluster.findUnique({
    where: { id: ref.cluster },
    select: { name: true, impersonateUsers: true, revision: true },
  });
  if (!cluster)
    throw new SourceSecretError(`The source cluster of Secret ${ref.namespace}/${ref.name} is no longer registered`);
  const headers: ExtraHeaders =
    cluster.impersonateUsers && actor
      ? { "impersonate-user": actor.email, ...(actor.teams.length ? { "impersonate-group": actor.teams } : {}) }
      : {};
  let response;
  try {
    const transport = await transportFor(ref.cluster, cluster.revision);
    response = await transport.request(
      {
        method: "GET",
        path: `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets/${encodeURIComponent(ref.name)}`,
      },
      headers,
    );
  } catch (error) {
    throw new SourceSecretError(
      `The ${described(ref, cluster.name)} could not be read: ${classifyClusterError(error).message}`,
    );
  }
  if (response.status === 404) throw new SourceSecretError(`The ${described(ref, cluster.name)} does not exist`);
  if (response.status === 403)
    throw new SourceSecretError(`The ${described(ref, cluster.name)} may not be read (the cluster refused)`);
  if (response.status !== 200)
    throw new SourceSecretError(`The ${described(ref, cluster.name)} could not be read (HTTP ${response.status})`);
  let data: Record<string, string>;
  try {
    const parsed = JSON.parse(response.body.toString("utf8")) as { data?: Record<string, unknown> };
    data = Object.fromEntries(
      Object.entries(parsed.data ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
  } finally {
    response.body.fill(0);
  }
  if (!ref.keys?.length) return data;
  const missing = ref.keys.filter((key) => !(key in data));
  if (missing.length)
    throw new SourceSecretError(`The ${described(ref, cluster.name)} has no key ${missing.join(", ")}`);
  return Object.fromEntries(ref.keys.map((key) => [key, data[key]!]));
}
