import "server-only";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { conflict, validationFailed } from "@/lib/server/errors/app-error";
import type { AuthSettingsBody, AuthSettingsView } from "@/lib/schemas/sso";

function envBreakGlass(): string[] | undefined {
  const raw = env().ARCHIPELAGO_BREAK_GLASS_ADMINS;
  if (raw === undefined) return undefined;
  return raw
    .split(",")
    .map((email) => email.trim().toLowerCase())
    .filter(Boolean);
}

/** The settings in force: the environment's where set (locking the UI), else the stored row. */
export async function getAuthSettings(): Promise<AuthSettingsView> {
  const row = await db().authSettings.findUnique({ where: { id: 1 } });
  const fromEnvPassword = env().ARCHIPELAGO_PASSWORD_SIGNIN;
  const fromEnvBreakGlass = envBreakGlass();
  return {
    passwordSignIn: fromEnvPassword ?? row?.passwordSignIn ?? true,
    breakGlassEmails: fromEnvBreakGlass ?? row?.breakGlassEmails ?? [],
    lockedByEnv: fromEnvPassword !== undefined || fromEnvBreakGlass !== undefined,
  };
}

export async function updateAuthSettings(input: AuthSettingsBody): Promise<AuthSettingsView> {
  if ((await getAuthSettings()).lockedByEnv)
    throw conflict("Sign-in settings are set by ARCHIPELAGO_PASSWORD_SIGNIN / ARCHIPELAGO_BREAK_GLASS_ADMINS");
  const breakGlassEmails = [...new Set(input.breakGlassEmails)];
  const admins = await db().user.findMany({
    where: { email: { in: breakGlassEmails }, isAdmin: true, disabledAt: null, ssoProviderId: null },
    select: { email: true },
  });
  const notAdmins = breakGlassEmails.filter((email) => !admins.some((admin) => admin.email === email));
  if (notAdmins.length > 0)
    throw validationFailed({ breakGlassEmails: [`Not an active local admin: ${notAdmins.join(", ")}`] });
  if (!input.passwordSignIn) {
    // Turning passwords off without a way back in would lock everyone out when the provider is down.
    if (admins.length === 0)
      throw conflict("Name at least one active local admin who may still sign in with a password (break-glass)", {
        breakGlassEmails: ["At least one active local admin is needed while password sign-in is off"],
      });
  }
  await db().authSettings.upsert({
    where: { id: 1 },
    create: { id: 1, passwordSignIn: input.passwordSignIn, breakGlassEmails },
    update: { passwordSignIn: input.passwordSignIn, breakGlassEmails },
  });
  return getAuthSettings();
}

/**
 * Whether this email may try a password at all (checked before the password, so it reveals
 * nothing): "everyone", or "break-glass only" (then the account must also be a local admin,
 * checked with the password, see sign-in.ts).
 */
export async function passwordSignInPolicy(email: string): Promise<"everyone" | "break-glass" | "refused"> {
  const settings = await getAuthSettings();
  if (settings.passwordSignIn) return "everyone";
  return settings.breakGlassEmails.includes(email.toLowerCase()) ? "break-glass" : "refused";
}
