import { z } from "zod";
import { idParam, oneOfParam } from "@/lib/schemas/params";
import { route } from "@/lib/server/http/route";
import { controlRollout, ROLLOUT_ACTIONS } from "@/lib/server/rollouts/control";
import { getRollout } from "@/lib/server/rollouts/queries";

const actionParams = z.object({
  // The action first: an unknown action is "Rollout action not found" whatever the id.
  action: oneOfParam(ROLLOUT_ACTIONS, "Rollout action"),
  id: idParam("Rollout"),
});

/** POST /api/v1/rollouts/{id}/pause | resume | abort */
export const POST = route(
  { access: "user", params: actionParams, audit: "rollout.control" },
  async ({ params, profile, audit }) => {
    const { id, action } = params;
    audit.target({ kind: "Rollout", name: id });
    audit.detail("action", action);
    const access = await profile();
    await controlRollout(access, id, action);
    return { rollout: await getRollout(access, id) };
  },
);
