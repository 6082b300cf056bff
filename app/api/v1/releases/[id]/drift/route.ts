import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { route } from "@/lib/server/http/route";
import { checkDriftFor } from "@/lib/server/releases/steer";

const releaseParams = z.object({ id: idParam("Release") });

const driftBodySchema = z.object({ heal: z.boolean({ error: "heal must be true or false" }).default(false) }).strict();

/** Checks drift now; with heal, re-applies the desired objects (taking ownership back) where they drifted. */
export const POST = route(
  { access: "user", params: releaseParams, body: driftBodySchema, audit: "release.drift-check" },
  async ({ params, body, profile, audit }) => {
    audit.target({ kind: "Release", name: params.id });
    audit.detail("heal", body.heal);
    const answer = await checkDriftFor(await profile(), params.id, { heal: body.heal });
    audit.detail("drifted", answer.results.filter((r) => r.state === "drifted").length);
    return answer;
  },
);
