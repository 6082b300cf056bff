import { route } from "@/lib/server/http/route";
import { listReleases } from "@/lib/server/releases/queries";

export const GET = route({ access: "user" }, async ({ profile }) => ({
  releases: await listReleases(await profile()),
}));
