import { z } from "zod";
import { route } from "@/lib/server/http/route";
import { checkReleaseDrift } from "@/lib/server/releases/drift";
import { getRelease } from "@/lib/server/releases/queries";
import { requireSteer } from "@/lib/server/rollouts/permissions";

const driftBodySchema = z.object({ heal: z.boolean({ error: "heal must be true or false" }).default(false) });

/** Checks drift now; with heal, re-applies the desired objects (taking ownership back) where they drifted. */
export const POST = route(
  { access: "user", body: driftBodySchema, audit: "release.drift-check" },
  async ({ params, body, profile, audit }) => {
    const access = await profile();
    const release = await getRelease(access, String(params.id));
    audit.target({ kind: "Release", name: release.name });
    audit.detail("heal", body.heal);
    if (body.heal)
      requireSteer(
        access,
        release.clusters.map((c) => c.clusterId),
      );
    const results = await checkReleaseDrift(release.id, { heal: body.heal });
    audit.detail("drifted", results.filter((r) => r.state === "drifted").length);
    return { results, release: await getRelease(access, release.id) };
  },
);
