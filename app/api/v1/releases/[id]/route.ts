import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { route } from "@/lib/server/http/route";
import { getRelease } from "@/lib/server/releases/queries";
import { setAutoHeal } from "@/lib/server/releases/steer";

const releaseParams = z.object({ id: idParam("Release") });

const updateReleaseBodySchema = z.object({ autoHeal: z.boolean({ error: "autoHeal must be true or false" }) }).strict();

export const GET = route({ access: "user", params: releaseParams }, async ({ params, profile }) => ({
  release: await getRelease(await profile(), params.id),
}));

export const PATCH = route(
  { access: "user", params: releaseParams, body: updateReleaseBodySchema, audit: "release.update" },
  async ({ params, body, profile, audit }) => {
    audit.target({ kind: "Release", name: params.id });
    audit.detail("autoHeal", body.autoHeal);
    return { release: await setAutoHeal(await profile(), params.id, body.autoHeal) };
  },
);
