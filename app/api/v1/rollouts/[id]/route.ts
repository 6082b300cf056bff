import { route } from "@/lib/server/http/route";
import { getRollout } from "@/lib/server/rollouts/queries";

export const GET = route({ access: "user" }, async ({ params, profile }) => ({
  rollout: await getRollout(await profile(), String(params.id)),
}));
