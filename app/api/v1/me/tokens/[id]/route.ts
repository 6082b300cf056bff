import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { revokeApiToken } from "@/lib/server/auth/api-tokens";
import { route } from "@/lib/server/http/route";

const tokenParams = z.object({ id: idParam("API token") });

export const DELETE = route(
  { access: "user", params: tokenParams, audit: "token.revoke" },
  async ({ caller, params, audit }) => {
    const revoked = await revokeApiToken(caller.user.id, params.id);
    audit.target({ kind: "ApiToken", name: revoked.name });
    return { apiToken: revoked };
  },
);
