import "server-only";
import type { SetupBody } from "@/lib/schemas/auth";
import { adminFromEnv } from "./admin-env";
import { AppError, isAppError } from "@/lib/server/errors/app-error";
import { db } from "@/lib/server/db/client";
import { hashPassword } from "./password";
import type { SessionUser } from "./sessions";

/** Serialises concurrent first-run attempts so exactly one admin can ever be created this way. */
const FIRST_ADMIN_LOCK_KEY = 4_207_001;

export async function needsFirstAdmin(): Promise<boolean> {
  return (await db().user.count()) === 0;
}

export const setupComplete = () =>
  new AppError(409, "setup_complete", "Setup is already complete: an account exists. Sign in instead.");

export async function createFirstAdmin(body: SetupBody): Promise<SessionUser> {
  // Hash outside the transaction: it is slow and needs no lock.
  const passwordHash = await hashPassword(body.password);
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_ADMIN_LOCK_KEY})`;
    if ((await tx.user.count()) > 0) throw setupComplete();
    return tx.user.create({
      data: { email: body.email, name: body.name, passwordHash, isAdmin: true, adminSource: "local" },
      select: { id: true, email: true, name: true, isAdmin: true },
    });
  });
}

/**
 * Creates the first admin from ARCHIPELAGO_ADMIN_EMAIL / ARCHIPELAGO_ADMIN_PASSWORD when
 * the database has no user. Invalid values stop start-up with the variable named.
 */
export async function bootstrapAdminFromEnv(vars: { email?: string; password?: string }): Promise<SessionUser | null> {
  const admin = adminFromEnv(vars);
  if (!admin || !(await needsFirstAdmin())) return null;
  try {
    return await createFirstAdmin(admin);
  } catch (error) {
    // Another instance won the race: that is the outcome we wanted anyway.
    if (isAppError(error) && error.code === "setup_complete") return null;
    throw error;
  }
}
