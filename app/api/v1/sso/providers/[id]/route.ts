import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { updateSsoProviderBodySchema } from "@/lib/schemas/sso";
import { route } from "@/lib/server/http/route";
import { deleteSsoProvider, getSsoProvider, updateSsoProvider } from "@/lib/server/sso/providers";

const params = z.object({ id: idParam("Identity provider") });

export const GET = route({ access: "admin", params }, async ({ params }) => ({
  provider: await getSsoProvider(params.id),
}));

export const PATCH = route(
  { access: "admin", params, body: updateSsoProviderBodySchema, audit: "sso.provider.update" },
  async ({ params, body, audit }) => {
    audit.detail("changed", Object.keys(body));
    const provider = await updateSsoProvider(params.id, body, (changes) => audit.detail("resynced", changes));
    audit.target({ kind: "SsoProvider", name: provider.slug });
    return { provider };
  },
);

export const DELETE = route({ access: "admin", params, audit: "sso.provider.delete" }, async ({ params, audit }) => {
  audit.target({ kind: "SsoProvider", name: await deleteSsoProvider(params.id) });
  return new Response(null, { status: 204 });
});
