import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { resetPasswordBodySchema } from "@/lib/schemas/access";
import { route } from "@/lib/server/http/route";
import { getUser, resetPassword } from "@/lib/server/users/users";

const userParams = z.object({ id: idParam("User") });

export const PUT = route(
  { access: "admin", params: userParams, body: resetPasswordBodySchema, audit: "user.reset-password" },
  async ({ params, body, audit }) => {
    const user = await getUser(params.id);
    audit.target({ kind: "User", name: user.email });
    const result = await resetPassword(user.id, body.password);
    audit.detail("endedSessions", result.endedSessions);
    audit.detail("revokedTokens", result.revokedTokens);
    return result;
  },
);
