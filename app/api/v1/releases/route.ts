import { listReleasesQuerySchema } from "@/lib/schemas/lists";
import { route } from "@/lib/server/http/route";
import { listReleases } from "@/lib/server/releases/queries";

/** One page of releases by name: `?cursor=&pageSize=`; answers `{ releases, total, nextCursor }`. */
export const GET = route({ access: "user", query: listReleasesQuerySchema }, async ({ query, profile }) =>
  listReleases(await profile(), query),
);
