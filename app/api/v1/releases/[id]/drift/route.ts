import { z } from "zod";
import { route } from "@/lib/server/http/route";
import { checkDriftFor } from "@/lib/server/releases/steer";

const driftBodySchema = z.object({ heal: z.boolean({ error: "heal must be true or false" }).default(false) }).strict();

/** Checks drift now; with heal, re-applies the desired objects (taking ownership back) where they drifted. */
export const POST = route(
  { access: "user", body: driftBodySchema, audit: "release.drift-check" },
  async ({ params, body, profile, audit }) => {
    audit.target({ kind: "Release", name: String(params.id) });
    audit.detail("heal", body.heal);
    const answer = await checkDriftFor(await profile(), String(params.id), { heal: body.heal });
    audit.detail("drifted", answer.results.filter((r) => r.state === "drifted").length);
    return answer;
  },
);
