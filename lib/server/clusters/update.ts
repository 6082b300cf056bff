import "server-only";
import type { ClusterView } from "@/lib/api/cluster-types";
import type { CredentialInput, UpdateClusterBody } from "@/lib/schemas/clusters";
import { db } from "@/lib/server/db/client";
import { conflict, notFound, validationFailed } from "@/lib/server/errors/app-error";
import { clusterConnectionGone } from "./changes";
import { forgetTransport } from "@/lib/server/kube/transport-cache";
import { sealCredential } from "./credential-vault";
import { materialProblems } from "./material";
import { serverAddressProblem } from "./server-address";
import { toClusterView } from "./views";
import { isUuid } from "@/lib/schemas/ids";

const CONNECTION_FIELDS = ["server", "caData", "insecureSkipTlsVerify", "tlsServerName"] as const;

export async function updateCluster(id: string, body: UpdateClusterBody): Promise<ClusterView> {
  if (!isUuid(id)) throw notFound("Cluster");
  const problems = materialProblems({ caData: body.caData });
  if (body.server) {
    const addressProblem = await serverAddressProblem(body.server);
    if (addressProblem) problems.server = [addressProblem];
  }
  if (Object.keys(problems).length > 0) throw validationFailed(problems);

  const connectionChanged = CONNECTION_FIELDS.some((field) => body[field] !== undefined);
  const updated = await db().cluster.updateMany({
    where: { id },
    data: {
      ...body,
      // New connection settings mean new clients and a fresh status.
      ...(connectionChanged
        ? {
            revision: { increment: 1 },
            status: "never_checked",
            statusSince: null,
            lastErrorCode: null,
            lastErrorMessage: null,
          }
        : {}),
    },
  });
  if (updated.count === 0) throw notFound("Cluster");
  if (connectionChanged) {
    clusterConnectionGone(id);
    forgetTransport(id);
  }
  return toClusterView(await db().cluster.findUniqueOrThrow({ where: { id } }));
}

/** Editing a credential means replacing it: the old one is never shown or merged. */
export async function replaceCredential(id: string, credential: CredentialInput): Promise<ClusterView> {
  if (!isUuid(id)) throw notFound("Cluster");
  const problems = materialProblems({ credential }, "");
  if (Object.keys(problems).length > 0) throw validationFailed(problems);
  const updated = await db().cluster.updateMany({
    where: { id },
    data: {
      authType: credential.type,
      credentialEnvelope: sealCredential(id, credential),
      revision: { increment: 1 },
      status: "never_checked",
      statusSince: null,
      lastErrorCode: null,
      lastErrorMessage: null,
    },
  });
  if (updated.count === 0) throw notFound("Cluster");
  clusterConnectionGone(id);
  forgetTransport(id);
  return toClusterView(await db().cluster.findUniqueOrThrow({ where: { id } }));
}

/**
 * Forgets a cluster and its credential. Refused (409, naming them) while a rollout in flight
 * targets it: abort those first. Should a row still vanish under a rollout (a race with a
 * start), the engine fails that target with the reason instead of waiting.
 */
export async function deleteCluster(id: string): Promise<void> {
  if (!isUuid(id)) throw notFound("Cluster");
  const inFlight = await db().rollout.findMany({
    where: {
      state: { in: ["running", "paused", "rolling_back"] },
      targets: { some: { clusterId: id, state: { notIn: ["succeeded", "failed", "rolled_back", "skipped"] } } },
    },
    select: { id: true, release: { select: { name: true } } },
    take: 20,
  });
  if (inFlight.length)
    throw conflict(
      `Rollouts in flight target this cluster: ${inFlight.map((r) => `${r.release.name} (${r.id})`).join(", ")}; ` +
        "abort them or let them finish, then delete the cluster",
    );
  const deleted = await db().cluster.deleteMany({ where: { id } });
  if (deleted.count === 0) throw notFound("Cluster");
  clusterConnectionGone(id);
  forgetTransport(id);
}
