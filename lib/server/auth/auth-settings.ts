import "server-only";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { conflict } from "@/lib/server/errors/app-error";
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
  if (!input.passwordSignIn) {
    // Turning passwords off without a way back in would lock everyone out when the provider is down.
    const admins = await db().user.count({
      where: { email: { in: breakGlassEmails }, isAdmin: true, disabledAt: null, ssoProviderId: null },
    });
    if (admins === 0)
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

/** Whether this email may try a password at all (checked before the password, so it reveals nothing). */
export async function passwordSignInAllowed(email: string): Promise<boolean> {
  const settings = await getAuthSettings();
  return settings.passwordSignIn || settings.breakGlassEmails.includes(email.toLowerCase());
}
