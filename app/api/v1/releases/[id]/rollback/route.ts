import { NextResponse } from "next/server";
import { z } from "zod";
import { revisionNumberSchema } from "@/lib/schemas/numbers";
import { validationFailed } from "@/lib/server/errors/app-error";
import { route } from "@/lib/server/http/route";
import { getRelease, lastParamsFor } from "@/lib/server/releases/queries";
import { startRollout } from "@/lib/server/rollouts/create";

const rollbackBodySchema = z.object({
  revision: revisionNumberSchema("revision"),
  idempotencyKey: z.string().min(8).max(100).optional(),
});

/** Rolling back = a new rollout of an earlier revision, with the parameters it last ran with, to the release's clusters. */
export const POST = route(
  { access: "user", body: rollbackBodySchema, audit: "release.rollback" },
  async ({ params, body, profile, audit }) => {
    const access = await profile();
    const release = await getRelease(access, String(params.id));
    audit.target({ kind: "Release", name: release.name });
    audit.detail("toRevision", body.revision);
    const parameters = await lastParamsFor(release.id, body.revision);
    if (!parameters)
      throw validationFailed({ revision: [`Release ${release.name} never ran revision ${body.revision}`] });
    const result = await startRollout(access, {
      releaseName: release.name,
      templateId: release.template.id,
      revision: body.revision,
      params: parameters,
      targets: { selector: null, clusterIds: release.clusters.map((c) => c.clusterId) },
      strategy: { kind: "all" },
      healthGate: { timeoutSeconds: 120 },
      tolerateFailures: 0,
      autoRollback: false,
      takeOwnership: true,
      idempotencyKey: body.idempotencyKey,
    });
    return NextResponse.json({ rolloutId: result.id }, { status: result.created ? 201 : 200 });
  },
);
