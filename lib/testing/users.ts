import { hashPassword } from "@/lib/server/auth/password";
import { db } from "@/lib/server/db/client";

export const TEST_PASSWORD = "correct horse battery staple";

export async function createTestUser(
  overrides: { email?: string; name?: string; isAdmin?: boolean; disabled?: boolean } = {},
) {
  return db().user.create({
    data: {
      email: overrides.email ?? `user-${Math.random().toString(36).slice(2, 10)}@example.com`,
      name: overrides.name ?? "Test User",
      isAdmin: overrides.isAdmin ?? false,
      disabledAt: overrides.disabled ? new Date() : null,
      passwordHash: await hashPassword(TEST_PASSWORD),
    },
    select: { id: true, email: true, name: true, isAdmin: true },
  });
}
