import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { updateUserBodySchema } from "@/lib/schemas/access";
import { route } from "@/lib/server/http/route";
import { getUser, updateUser } from "@/lib/server/users/users";

const userParams = z.object({ id: idParam("User") });

export const GET = route({ access: "admin", params: userParams }, async ({ params }) => ({
  user: await getUser(params.id),
}));

/** Rename, promote/demote, disable/enable. Disabling ends the user's sessions and tokens at once. */
export const PATCH = route(
  { access: "admin", params: userParams, body: updateUserBodySchema, audit: "user.update" },
  async ({ params, body, audit }) => {
    const user = await getUser(params.id);
    audit.target({ kind: "User", name: user.email });
    audit.detail("changes", body);
    return { user: await updateUser(user.id, body) };
  },
);
