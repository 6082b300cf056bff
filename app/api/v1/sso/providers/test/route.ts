import { testSsoProviderBodySchema } from "@/lib/schemas/sso";
import { route } from "@/lib/server/http/route";
import { ssoRedirectUri } from "@/lib/server/http/sso-responses";
import { testSsoConfiguration } from "@/lib/server/sso/test-configuration";

/** Discovery, endpoints, the redirect URI to register, and whether the client credentials are accepted. */
export const POST = route(
  { access: "admin", body: testSsoProviderBodySchema, audit: "sso.provider.test" },
  async ({ body, facts, audit }) => {
    const result = await testSsoConfiguration(body, ssoRedirectUri(facts));
    audit.detail("issuer", result.issuer);
    audit.detail("ok", result.ok);
    return { result };
  },
);
