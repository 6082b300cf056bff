import "server-only";
import type { UserAdminView } from "@/lib/api/team-types";
import { hashPassword } from "@/lib/server/auth/password";
import { deleteSessionsOfUser } from "@/lib/server/auth/sessions";
import { db } from "@/lib/server/db/client";
import { AppError, notFound, validationFailed } from "@/lib/server/errors/app-error";
import { Prisma } from "@/lib/generated/prisma/client";
import { isUuid } from "@/lib/schemas/ids";

const include = {
  memberships: { include: { team: { select: { id: true, name: true } } } },
  ssoProvider: { select: { displayName: true } },
} as const;

type UserRow = Prisma.UserGetPayload<{ include: typeof include; omit: { passwordHash: true } }>;

const toView = (user: UserRow): UserAdminView => ({
  id: user.id,
  email: user.email,
  name: user.name,
  isAdmin: user.isAdmin,
  disabled: user.disabledAt !== null,
  teams: user.memberships
    .map((m) => ({ id: m.team.id, name: m.team.name, role: m.role, source: m.source }))
    .sort((a, b) => a.name.localeCompare(b.name)),
  createdAt: user.createdAt.toISOString(),
  ssoProvider: user.ssoProvider?.displayName ?? null,
});

export async function listUsers(): Promise<UserAdminView[]> {
  return (await db().user.findMany({ include, orderBy: { email: "asc" } })).map(toView);
}

export async function getUser(id: string): Promise<UserAdminView> {
  if (!isUuid(id)) throw notFound("User");
  const user = await db().user.findUnique({ where: { id }, include });
  if (!user) throw notFound("User");
  return toView(user);
}

export async function createUser(input: {
  email: string;
  name: string;
  password: string;
  isAdmin: boolean;
}): Promise<UserAdminView> {
  if (await db().user.findUnique({ where: { email: input.email }, select: { id: true } })) {
    throw validationFailed({ email: ["A user with this email already exists"] });
  }
  try {
    const user = await db().user.create({
      data: {
        email: input.email,
        name: input.name,
        isAdmin: input.isAdmin,
        adminSource: input.isAdmin ? "local" : null,
        passwordHash: await hashPassword(input.password),
      },
      include,
    });
    return toView(user);
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
      throw validationFailed({ email: ["A user with this email already exists"] });
    throw error;
  }
}

/** The admin set may shrink, but never to nobody: then no one could administer Archipelago. */
async function assertAnotherActiveAdmin(tx: Prisma.TransactionClient, userId: string): Promise<void> {
  const others = await tx.user.count({ where: { isAdmin: true, disabledAt: null, id: { not: userId } } });
  if (others === 0) {
    throw new AppError(409, "conflict", "This is the last active admin: make another user an admin first", {
      fields: { isAdmin: ["The last active admin cannot be demoted or disabled"] },
    });
  }
}

const USER_CHANGE_LOCK = 4_207_301;

export async function updateUser(
  id: string,
  changes: { name?: string; isAdmin?: boolean; disabled?: boolean },
): Promise<UserAdminView> {
  await getUser(id);
  const user = await db().$transaction(async (tx) => {
    // Serialise admin-set changes so two concurrent demotions cannot both pass the check.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${USER_CHANGE_LOCK})`;
    const current = await tx.user.findUniqueOrThrow({ where: { id } });
    const losesAdmin =
      current.isAdmin && !current.disabledAt && (changes.isAdmin === false || changes.disabled === true);
    if (losesAdmin) await assertAnotherActiveAdmin(tx, id);
    // Tokens follow the account: disabling revokes them for good (re-enabling does not bring them back).
    if (changes.disabled) await revokeTokensOfUser(tx, id);
    return tx.user.update({
      where: { id },
      data: {
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        // Set by hand: a provider's admin mapping no longer decides it.
        ...(changes.isAdmin !== undefined
          ? { isAdmin: changes.isAdmin, adminSource: changes.isAdmin ? "local" : null }
          : {}),
        ...(changes.disabled !== undefined
          ? { disabledAt: changes.disabled ? (current.disabledAt ?? new Date()) : null }
          : {}),
      },
      include,
    });
  });
  // Disabled means out now: sessions are deleted and tokens revoked.
  if (changes.disabled) await deleteSessionsOfUser(id);
  return toView(user);
}

/**
 * A reset ends every session and revokes every API token of the user, so a stolen session
 * or token dies with the old password; the user creates new tokens after signing in.
 */
export async function resetPassword(
  id: string,
  password: string,
): Promise<{ endedSessions: number; revokedTokens: number }> {
  const user = await getUser(id);
  // Such an account has no password: it signs in through its provider only.
  if (user.ssoProvider)
    throw new AppError(
      409,
      "conflict",
      `${user.email} signs in through ${user.ssoProvider}; it has no password to reset`,
    );
  const passwordHash = await hashPassword(password);
  const revokedTokens = await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id }, data: { passwordHash } });
    return revokeTokensOfUser(tx, id);
  });
  return { endedSessions: await deleteSessionsOfUser(id), revokedTokens };
}

/** Revokes every live token of a user; a revoked token never works again. */
async function revokeTokensOfUser(tx: Prisma.TransactionClient, userId: string): Promise<number> {
  const { count } = await tx.apiToken.updateMany({
    where: { userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count;
}
