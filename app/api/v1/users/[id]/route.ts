import { updateUserBodySchema } from "@/lib/schemas/access";
import { route } from "@/lib/server/http/route";
import { getUser, updateUser } from "@/lib/server/users/users";

export const GET = route({ access: "admin" }, async ({ params }) => ({ user: await getUser(String(params.id)) }));

/** Rename, promote/demote, disable/enable. Disabling ends the user's sessions and tokens at once. */
export const PATCH = route(
  { access: "admin", body: updateUserBodySchema, audit: "user.update" },
  async ({ params, body, audit }) => {
    const user = await getUser(String(params.id));
    audit.target({ kind: "User", name: user.email });
    audit.detail("changes", body);
    return { user: await updateUser(user.id, body) };
  },
);
