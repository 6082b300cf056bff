import { teamAccessPreview } from "@/lib/server/access/grants";
import { route } from "@/lib/server/http/route";

/** What the team can see right now: clusters x namespaces. */
export const GET = route({ access: "user" }, async ({ params, profile }) =>
  teamAccessPreview(await profile(), String(params.id)),
);
