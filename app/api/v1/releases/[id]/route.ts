import { z } from "zod";
import { db } from "@/lib/server/db/client";
import { route } from "@/lib/server/http/route";
import { getRelease } from "@/lib/server/releases/queries";
import { requireSteer } from "@/lib/server/rollouts/permissions";

const updateReleaseBodySchema = z.object({ autoHeal: z.boolean({ error: "autoHeal must be true or false" }) }).strict();

export const GET = route({ access: "user" }, async ({ params, profile }) => ({
  release: await getRelease(await profile(), String(params.id)),
}));

export const PATCH = route(
  { access: "user", body: updateReleaseBodySchema, audit: "release.update" },
  async ({ params, body, profile, audit }) => {
    const access = await profile();
    const release = await getRelease(access, String(params.id));
    audit.target({ kind: "Release", name: release.name });
    audit.detail("autoHeal", body.autoHeal);
    requireSteer(
      access,
      release.clusters.map((c) => c.clusterId),
    );
    await db().release.update({ where: { id: release.id }, data: { autoHeal: body.autoHeal } });
    return { release: await getRelease(access, release.id) };
  },
);
