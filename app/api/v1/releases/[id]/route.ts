import { z } from "zod";
import { route } from "@/lib/server/http/route";
import { getRelease } from "@/lib/server/releases/queries";
import { setAutoHeal } from "@/lib/server/releases/steer";

const updateReleaseBodySchema = z.object({ autoHeal: z.boolean({ error: "autoHeal must be true or false" }) }).strict();

export const GET = route({ access: "user" }, async ({ params, profile }) => ({
  release: await getRelease(await profile(), String(params.id)),
}));

export const PATCH = route(
  { access: "user", body: updateReleaseBodySchema, audit: "release.update" },
  async ({ params, body, profile, audit }) => {
    audit.target({ kind: "Release", name: String(params.id) });
    audit.detail("autoHeal", body.autoHeal);
    return { release: await setAutoHeal(await profile(), String(params.id), body.autoHeal) };
  },
);
