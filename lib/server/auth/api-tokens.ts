import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { ApiTokenView } from "@/lib/api/team-types";
import { mayActUnattended, standingSelect, withoutStanding } from "@/lib/server/access/may-act";
import { db } from "@/lib/server/db/client";
import { notFound } from "@/lib/server/errors/app-error";
import type { SessionUser } from "./sessions";

/** Personal API tokens: `arch_` + 256 random bits, stored only as SHA-256, shown once. */
const PREFIX = "arch_";
const TOKEN_PATTERN = /^arch_[A-Za-z0-9_-]{43}$/;
const TOUCH_INTERVAL_MS = 60_000;

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

type TokenRow = {
  id: string;
  name: string;
  prefix: string;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
};

const toView = (row: TokenRow): ApiTokenView => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
});

export async function createApiToken(
  userId: string,
  input: { name: string; expiresAt: Date | null },
): Promise<{ token: string; view: ApiTokenView }> {
  const token = `${PREFIX}${randomBytes(32).toString("base64url")}`;
  const row = await db().apiToken.create({
    data: {
      userId,
      name: input.name,
      tokenHash: hashOf(token),
      prefix: token.slice(0, 12),
      expiresAt: input.expiresAt,
    },
  });
  return { token, view: toView(row) };
}

export async function listApiTokens(userId: string): Promise<ApiTokenView[]> {
  const rows = await db().apiToken.findMany({ where: { userId }, orderBy: { createdAt: "desc" } });
  return rows.map(toView);
}

export async function revokeApiToken(userId: string, tokenId: string): Promise<ApiTokenView> {
  const row = await db().apiToken.findFirst({ where: { id: tokenId, userId } });
  if (!row) throw notFound("API token");
  const updated = row.revokedAt
    ? row
    : await db().apiToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
  return toView(updated);
}

/** The token's user, or null for unknown, malformed, revoked, expired or a disabled user. */
export async function validateApiToken(token: string): Promise<{ tokenId: string; user: SessionUser } | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const row = await db().apiToken.findUnique({
    where: { tokenHash: hashOf(token) },
    include: {
      user: {
        select: {
          id: true,
          email: true,
          name: true,
          isAdmin: true,
          ...standingSelect,
        },
      },
    },
  });
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return null;
  // A single sign-on user's teams are only as fresh as their last sign-in through the provider.
  const standing = mayActUnattended(row.user);
  if (!standing.ok) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
    await db().apiToken.updateMany({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  const user = withoutStanding(row.user);
  return { tokenId: row.id, user };
}
