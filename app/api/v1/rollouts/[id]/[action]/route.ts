import { notFound } from "@/lib/server/errors/app-error";
import { route } from "@/lib/server/http/route";
import { controlRollout, ROLLOUT_ACTIONS, type RolloutAction } from "@/lib/server/rollouts/control";
import { getRollout } from "@/lib/server/rollouts/queries";

const isAction = (value: unknown): value is RolloutAction => ROLLOUT_ACTIONS.some((action) => action === value);

/** POST /api/v1/rollouts/{id}/pause | resume | abort */
export const POST = route({ access: "user", audit: "rollout.control" }, async ({ params, profile, audit }) => {
  if (!isAction(params.action)) throw notFound("Rollout action");
  const id = String(params.id);
  audit.target({ kind: "Rollout", name: id });
  audit.detail("action", params.action);
  const access = await profile();
  await controlRollout(access, id, params.action);
  return { rollout: await getRollout(access, id) };
});
