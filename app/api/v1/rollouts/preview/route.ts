import { ROLLOUT_REQUEST_MAX_BYTES, rolloutRequestSchema } from "@/lib/schemas/templates";
import { route } from "@/lib/server/http/route";
import { previewRollout } from "@/lib/server/rollouts/preview";

/** Server-side dry-run on every target; changes nothing. */
export const POST = route(
  { access: "user", body: rolloutRequestSchema, audit: "rollout.preview", maxBodyBytes: ROLLOUT_REQUEST_MAX_BYTES },
  async ({ body, profile, audit }) => {
    audit.target({ kind: "Release", name: body.releaseName });
    return previewRollout(await profile(), body);
  },
);
