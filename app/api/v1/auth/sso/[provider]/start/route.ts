import { z } from "zod";
import { route } from "@/lib/server/http/route";
import { ssoStartResponse } from "@/lib/server/http/sso-responses";

const params = z.object({
  provider: z.string({ error: "Identity provider" }).regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: "Identity provider" }),
});

/** Sends the browser to the provider's login page (authorization code flow with PKCE, state and nonce). */
export const GET = route(
  { access: "public", params, query: z.object({ next: z.string().max(2000).optional() }) },
  async ({ params, query, facts }) => ssoStartResponse({ slug: params.provider, next: query.next, facts }),
);
