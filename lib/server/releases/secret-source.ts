import "server-only";
import type { SecretReference } from "@/lib/schemas/templates";
import { impersonationHeaders } from "@/lib/server/access/impersonation";
import type { AccessProfile } from "@/lib/server/access/policy";
import { decideReferenceUse } from "@/lib/server/access/resource-rules";
import { transportFor } from "@/lib/server/clusters/connection";
import { db } from "@/lib/server/db/client";
import { classifyClusterError } from "@/lib/server/kube/errors";

/**
 * Reads a secret reference's source at the moment it is needed (apply, dry-run, drift) with
 * the source cluster's connection. Every read is decided first, here, for `reader` (rule
 * `secret-ref.use`: reveal on the source's namespace): the author at start, the caller of a
 * drift check or heal, or the stored author's CURRENT access for automatic reads (a disabled
 * author is null and refused). Where the source cluster impersonates, the read impersonates
 * the reader with the shared headers (teams and provider groups). The data goes straight
 * into the render and is never stored.
 *
 * Every failure is a plain reason that names neither the source's cluster nor its namespace
 * (target errors and drift details are shown to whoever sees a target, who may not see the
 * source), never a remote answer and never a value.
 */

export class SourceSecretError extends Error {
  override name = "SourceSecretError";
}

/** The referenced data: key → base64 value (only the keys asked for, when some are). */
export async function readSourceSecret(
  ref: SecretReference,
  reader: AccessProfile | null,
): Promise<Record<string, string>> {
  if (decideReferenceUse(reader, { cluster: ref.cluster, namespace: ref.namespace }) !== "allowed")
    throw new SourceSecretError(
      reader
        ? `${reader.email} may not reveal the source Secret (rule secret-ref.use); nothing was read`
        : "its author's account is disabled or gone, so its source is no longer read; start a new rollout",
    );
  const cluster = await db().cluster.findUnique({
    where: { id: ref.cluster },
    select: { impersonateUsers: true, revision: true },
  });
  if (!cluster) throw new SourceSecretError("the source cluster is no longer registered");
  let response;
  try {
    const transport = await transportFor(ref.cluster, cluster.revision);
    response = await transport.request(
      {
        method: "GET",
        path: `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets/${encodeURIComponent(ref.name)}`,
      },
      impersonationHeaders(reader!, cluster.impersonateUsers),
    );
  } catch (error) {
    throw new SourceSecretError(`the source Secret could not be read: ${classifyClusterError(error).message}`);
  }
  if (response.status === 404) throw new SourceSecretError("the source Secret does not exist");
  if (response.status === 403) throw new SourceSecretError("the source Secret may not be read (the cluster refused)");
  if (response.status !== 200)
    throw new SourceSecretError(`the source Secret could not be read (HTTP ${response.status})`);
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
  if (missing.length) throw new SourceSecretError(`the source Secret has no key ${missing.join(", ")}`);
  return Object.fromEntries(ref.keys.map((key) => [key, data[key]!]));
}
