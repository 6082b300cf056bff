import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { SsoButtons } from "@/components/auth/sso-buttons";
import { Alert } from "@/components/ui/alert";
import { getAuthSettings } from "@/lib/server/auth/auth-settings";
import { needsFirstAdmin } from "@/lib/server/auth/first-admin";
import { getPageCaller } from "@/lib/server/http/page-caller";
import { signInProviders } from "@/lib/server/sso/providers";
import { safeReturnPath } from "@/lib/schemas/return-path";
import { SSO_ERROR_DETAILS, SSO_ERROR_MESSAGES, type SsoErrorCode } from "@/lib/schemas/sso";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

/** Only known codes are shown, in our words: nothing from the query string is echoed. */
function ssoProblem(code: string | undefined, detail: string | undefined): string | null {
  if (!code || !(code in SSO_ERROR_MESSAGES)) return null;
  const message = SSO_ERROR_MESSAGES[code as SsoErrorCode];
  const known = (SSO_ERROR_DETAILS as readonly string[]).includes(detail ?? "") ? detail : null;
  return known ? `${message} (${known.replace(/_/g, " ")})` : message;
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; reason?: string; sso_error?: string; sso_detail?: string }>;
}) {
  const { next, reason, sso_error: ssoError, sso_detail: ssoDetail } = await searchParams;
  const returnTo = safeReturnPath(next);
  if (await needsFirstAdmin()) redirect("/setup");
  if (await getPageCaller()) redirect(returnTo);
  const [providers, settings] = await Promise.all([signInProviders(), getAuthSettings()]);
  const problem = ssoProblem(ssoError, ssoDetail);
  return (
    <>
      <h1 className="text-lg font-semibold">Sign in</h1>
      <p className="mt-1 text-sm text-slate-600">
        {providers.length > 0
          ? "Sign in with your organisation's identity provider."
          : "Use the account your Archipelago admin gave you."}
      </p>
      {problem ? (
        <div className="mt-4" data-testid="sso-error">
          <Alert>{problem}</Alert>
        </div>
      ) : null}
      {providers.length > 0 ? <SsoButtons providers={providers} returnTo={returnTo} /> : null}
      {providers.length > 0 ? (
        <p className="mt-6 border-t border-slate-100 pt-4 text-xs font-medium uppercase tracking-wide text-slate-500">
          {settings.passwordSignIn ? "Or with a local account" : "Local break-glass admins only"}
        </p>
      ) : null}
      <SignInForm returnTo={returnTo} expired={reason === "expired"} />
    </>
  );
}
