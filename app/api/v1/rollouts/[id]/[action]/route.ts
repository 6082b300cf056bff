import { db } from "@/lib/server/db/client";
import { notFound } from "@/lib/server/errors/app-error";
import { route } from "@/lib/server/http/route";
import { abortRollout, pauseRollout, resumeRollout } from "@/lib/server/rollouts/control";
import { requireSteer } from "@/lib/server/rollouts/permissions";
import { getRollout } from "@/lib/server/rollouts/queries";

const ACTIONS = { pause: pauseRollout, resume: resumeRollout, abort: abortRollout } as const;

/** POST /api/v1/rollouts/{id}/pause | resume | abort */
export const POST = route({ access: "user", audit: "rollout.control" }, async ({ params, profile, audit }) => {
  const action = String(params.action) as keyof typeof ACTIONS;
  // Own keys only: `in` would also accept inherited names such as "toString".
  if (!Object.hasOwn(ACTIONS, action)) throw notFound("Rollout action");
  const access = await profile();
  const rollout = await getRollout(access, String(params.id));
  audit.target({ kind: "Rollout", name: rollout.id });
  audit.detail("action", action);
  const owner = await db().rollout.findUnique({ where: { id: rollout.id }, select: { createdById: true } });
  requireSteer(
    access,
    rollout.targets.map((t) => t.clusterId),
    owner?.createdById,
  );
  await ACTIONS[action](rollout.id);
  return { rollout: await getRollout(access, rollout.id) };
});
