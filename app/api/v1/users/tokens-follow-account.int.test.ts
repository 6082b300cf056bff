import { beforeEach, describe, expect, it } from "vitest";
import * as meRoute from "@/app/api/v1/me/route";
import * as passwordRoute from "@/app/api/v1/users/[id]/password/route";
import * as userRoute from "@/app/api/v1/users/[id]/route";
import { createApiToken } from "@/lib/server/auth/api-tokens";
import { createSession } from "@/lib/server/auth/sessions";
import { db } from "@/lib/server/db/client";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { createTestUser } from "@/lib/testing/users";

/** Issue 12, point 6: API tokens follow the account (reset and disable revoke them; enable does not revive). */
let adminSession: string;
let user: { id: string };
let tokens: string[];

const me = (bearer: string) => callRoute(meRoute.GET, { path: "/api/v1/me", bearer });

beforeEach(async () => {
  await resetDatabase();
  const admin = await createTestUser({ isAdmin: true });
  adminSession = (await createSession(admin.id, { clientIp: "127.0.0.1", userAgent: "test" })).token;
  user = await createTestUser();
  tokens = [
    (await createApiToken(user.id, { name: "ci", expiresAt: null })).token,
    (await createApiToken(user.id, { name: "laptop", expiresAt: new Date(Date.now() + 86_400_000) })).token,
  ];
  for (const token of tokens) expect((await me(token)).status).toBe(200);
});

const patch = (body: unknown) =>
  callRoute(userRoute.PATCH, {
    method: "PATCH",
    path: `/api/v1/users/${user.id}`,
    params: { id: user.id },
    body,
    session: adminSession,
  });

describe("tokens follow the account", () => {
  it("an admin password reset revokes every token of the user", async () => {
    const reset = await callRoute(passwordRoute.PUT, {
      method: "PUT",
      path: `/api/v1/users/${user.id}/password`,
      params: { id: user.id },
      body: { password: "a brand new password 42" },
      session: adminSession,
    });
    expect(reset).toMatchObject({ status: 200, body: { revokedTokens: 2 } });
    for (const token of tokens) expect((await me(token)).status).toBe(401);
    const audit = await db().auditEvent.findFirst({
      where: { action: "user.reset-password", result: { not: "started" } },
    });
    expect(audit?.details).toMatchObject({ revokedTokens: 2 });
    // A token made after the reset works.
    const fresh = (await createApiToken(user.id, { name: "new", expiresAt: null })).token;
    expect((await me(fresh)).status).toBe(200);
  });

  it("disabling revokes every token, and enabling again does not bring them back", async () => {
    expect((await patch({ disabled: true })).status).toBe(200);
    for (const token of tokens) expect((await me(token)).status).toBe(401);
    expect(await db().apiToken.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
    expect((await patch({ disabled: false })).status).toBe(200);
    for (const token of tokens) expect((await me(token)).status).toBe(401);
  });

  it("a rename or promotion leaves tokens alone", async () => {
    expect((await patch({ name: "Renamed" })).status).toBe(200);
    for (const token of tokens) expect((await me(token)).status).toBe(200);
  });
});
