import { authSettingsBodySchema } from "@/lib/schemas/sso";
import { getAuthSettings, updateAuthSettings } from "@/lib/server/auth/auth-settings";
import { route } from "@/lib/server/http/route";

export const GET = route({ access: "admin" }, async () => ({ settings: await getAuthSettings() }));

/** Password sign-in for everyone, or only for the named local admins (break-glass). */
export const PUT = route(
  { access: "admin", body: authSettingsBodySchema, audit: "auth.settings.update" },
  async ({ body, audit }) => {
    audit.detail("passwordSignIn", body.passwordSignIn);
    audit.detail("breakGlassEmails", body.breakGlassEmails);
    return { settings: await updateAuthSettings(body) };
  },
);
