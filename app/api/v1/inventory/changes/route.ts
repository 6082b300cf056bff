import { listChangesQuerySchema } from "@/lib/schemas/timeline";
import { listChanges } from "@/lib/server/inventory/timeline/query";
import { route } from "@/lib/server/http/route";

/** The change timeline: what changed in the clusters and namespaces the caller may see, newest first, paged. */
export const GET = route({ access: "user", query: listChangesQuerySchema }, async ({ query, profile }) =>
  listChanges(await profile(), query),
);
