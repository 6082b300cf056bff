import { revokeApiToken } from "@/lib/server/auth/api-tokens";
import { notFound } from "@/lib/server/errors/app-error";
import { route } from "@/lib/server/http/route";
import { isUuid } from "@/lib/schemas/ids";

export const DELETE = route({ access: "user", audit: "token.revoke" }, async ({ caller, params, audit }) => {
  const id = String(params.id);
  if (!isUuid(id)) throw notFound("API token");
  const revoked = await revokeApiToken(caller.user.id, id);
  audit.target({ kind: "ApiToken", name: revoked.name });
  return { apiToken: revoked };
});
