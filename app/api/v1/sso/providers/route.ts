import { createSsoProviderBodySchema } from "@/lib/schemas/sso";
import { route } from "@/lib/server/http/route";
import { createSsoProvider, listSsoProviders } from "@/lib/server/sso/providers";

export const GET = route({ access: "admin" }, async () => ({ providers: await listSsoProviders() }));

export const POST = route(
  { access: "admin", body: createSsoProviderBodySchema, audit: "sso.provider.create" },
  async ({ body, audit }) => {
    audit.target({ kind: "SsoProvider", name: body.slug });
    audit.detail("mappings", body.mappings.length);
    const provider = await createSsoProvider(body);
    // Never the client secret; the issuer only once accepted (a refused one may hold credentials).
    audit.detail("issuer", provider.issuer);
    return Response.json({ provider }, { status: 201 });
  },
);
