import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { route } from "@/lib/server/http/route";
import { getRollout } from "@/lib/server/rollouts/queries";

const rolloutParams = z.object({ id: idParam("Rollout") });

export const GET = route({ access: "user", params: rolloutParams }, async ({ params, profile }) => ({
  rollout: await getRollout(await profile(), params.id),
}));
