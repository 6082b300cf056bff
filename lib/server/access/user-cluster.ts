import "server-only";
import { transportFor } from "@/lib/server/clusters/connection";
import { db } from "@/lib/server/db/client";
import { notFound } from "@/lib/server/errors/app-error";
import type { ExtraHeaders, ClusterTransport } from "@/lib/server/kube/transport";
import { requireClusterVisible } from "./guard";
import { impersonationHeaders } from "./impersonation";
import type { AccessProfile } from "./policy";

export interface UserClusterClient {
  clusterId: string;
  clusterName: string;
  transport: ClusterTransport;
  /** Sent with every call: impersonation when the cluster asks for it. */
  headers: ExtraHeaders;
}

/**
 * The one way to call a cluster on a user's behalf: the cluster must be visible to the
 * caller, and impersonation headers are attached when the cluster is set to impersonate.
 * Namespace and level checks happen before the call, in the feature's code, via guard.ts.
 */
export async function userClusterClient(profile: AccessProfile, clusterId: string): Promise<UserClusterClient> {
  requireClusterVisible(profile, clusterId);
  const cluster = await db().cluster.findUnique({
    where: { id: clusterId },
    select: { name: true, impersonateUsers: true },
  });
  if (!cluster) throw notFound("Cluster");
  return {
    clusterId,
    clusterName: cluster!.name,
    transport: await transportFor(clusterId),
    headers: impersonationHeaders(profile, cluster!.impersonateUsers),
  };
}
