import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { env } from "@/lib/server/config/env";
import { resetPassword, updateUser } from "@/lib/server/users/users";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import { createSession, sessionLifetimes, validateSession } from "@/lib/server/auth/sessions";
import { createApiToken } from "@/lib/server/auth/api-tokens";
import { removeMember, updateMember } from "@/lib/server/teams/teams";
import { createFirstAdmin, needsFirstAdmin } from "@/lib/server/auth/first-admin";
import { authenticate } from "@/lib/server/auth/caller";
import { loadAccessProfile } from "@/lib/server/access/profile";
import { createTestUser } from "@/lib/testing/users";
import { startTestIdp, type TestIdp } from "@/lib/testing/oidc-idp";
import { resetDatabase } from "@/lib/testing/reset-database";
import { finishSignIn, loginAtProvider, ssoErrorOf, ssoSignIn, startSignIn } from "./sso-browser";
import { createSsoProvider, updateSsoProvider } from "@/lib/server/sso/providers";
import { PATCH as patchProvider } from "@/app/api/v1/sso/providers/[id]/route";
import { callRoute } from "@/lib/testing/call-route";

/**
 * Single sign-on against a real OpenID Provider (oidc-provider in its own process, with its
 * own keys, users and login page). Nothing on the client side is stubbed: our routes,
 * openid-client and Postgres do the work; the test only plays the browser.
 */

const CLIENT = { client_id: "archipelago", client_secret: "s3cret-client-value-for-tests" };
const REDIRECT = "http://localhost:3000/api/v1/auth/sso/callback";
const USERS = [
  {
    login: "alice",
    password: "alice-pass",
    email: "alice@corp.example",
    name: "Alice",
    groups: ["payments", "search-leads"],
  },
  {
    login: "mallory",
    password: "mallory-pass",
    email: "mallory@elsewhere.example",
    name: "Mallory",
    groups: ["payments"],
  },
  { login: "root", password: "root-pass", email: "root@corp.example", name: "Root", groups: ["platform-admins"] },
  // A name claim that would impersonate: a right-to-left override, a zero-width space and a BOM.
  { login: "eve", password: "eve-pass", email: "eve@corp.example", name: "\u202EEv\u200Be\uFEFF", groups: [] },
];

let idp: TestIdp;
let teams: { payments: string; search: string };
const logLines: string[] = [];

async function configure(overrides: Partial<Parameters<typeof createSsoProvider>[0]> = {}) {
  return createSsoProvider({
    slug: "corp",
    displayName: "Corp SSO",
    issuer: idp.issuer,
    clientId: CLIENT.client_id,
    clientSecret: CLIENT.client_secret,
    scopes: ["openid", "email", "profile", "groups"],
    emailClaim: "email",
    nameClaim: "name",
    groupsClaim: "groups",
    allowedEmailDomains: ["corp.example"],
    sendGroupsToClusters: true,
    clusterGroupPrefix: "oidc:",
    enabled: true,
    mappings: [
      { group: "payments", teamId: teams.payments, role: "member" },
      { group: "search-leads", teamId: teams.search, role: "maintainer" },
      { group: "platform-admins", admin: true },
    ],
    ...overrides,
  });
}

async function membershipsOf(email: string) {
  const user = await db().user.findUnique({ where: { email }, include: { memberships: { include: { team: true } } } });
  return Object.fromEntries(user?.memberships.map((m) => [m.team.name, `${m.role}/${m.source}`]) ?? []);
}

beforeAll(async () => {
  idp = await startTestIdp({ users: USERS, clients: [{ ...CLIENT, redirect_uris: [REDIRECT] }] });
  for (const level of ["info", "warn", "error"] as const)
    vi.spyOn(logger, level).mockImplementation(((obj: unknown, msg?: string) => {
      logLines.push(JSON.stringify(obj) + (msg ?? ""));
    }) as never);
});

afterAll(async () => {
  await idp?.stop();
});

beforeEach(async () => {
  await resetDatabase();
  await idp.tamper("none");
  await idp.groupsInUserinfoOnly(false);
  await idp.setGroups("alice", ["payments", "search-leads"]);
  // Setup is done (single sign-on waits for the first admin): a local admin exists.
  await createTestUser({ email: "admin@example.com", isAdmin: true });
  teams = {
    payments: (await db().team.create({ data: { name: "payments" } })).id,
    search: (await db().team.create({ data: { name: "search" } })).id,
  };
  logLines.length = 0;
});

describe("single sign-on with a real provider", () => {
  it("creates the user just in time with exactly the teams their groups map to, audited", async () => {
    await configure();
    const outcome = await ssoSignIn("corp", "alice", "alice-pass");
    expect(ssoErrorOf(outcome)).toBeNull();
    expect(outcome.status).toBe(303);
    expect(new URL(outcome.location).pathname).toBe("/overview");
    const session = await validateSession(outcome.sessionToken);
    expect(session?.user.email).toBe("alice@corp.example");
    expect(session?.user.isAdmin).toBe(false);
    expect(await membershipsOf("alice@corp.example")).toEqual({ payments: "member/sso", search: "maintainer/sso" });

    const rows = await db().auditEvent.findMany({ orderBy: { id: "asc" } });
    const signIn = rows.find((r) => r.action === "auth.sso.sign-in" && r.result !== "started");
    expect(signIn?.actorVia).toBe("sso");
    expect(signIn?.details).toMatchObject({ provider: "corp", groups: ["payments", "search-leads"], created: true });
    expect(
      rows
        .filter((r) => r.action === "sso.membership.set")
        .map((r) => r.targetName)
        .sort(),
    ).toEqual(["payments", "search"]);
    const everything =
      JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)) + logLines.join("\n");
    expect(everything).not.toContain(CLIENT.client_secret);
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });

  it("strips invisible and direction-changing characters from the provider's name claim", async () => {
    await configure();
    const outcome = await ssoSignIn("corp", "eve", "eve-pass");
    expect(ssoErrorOf(outcome)).toBeNull();
    expect((await db().user.findUniqueOrThrow({ where: { email: "eve@corp.example" } })).name).toBe("Eve");
  });

  it("re-syncs memberships at every sign-in: a dropped group loses its team, other sessions included", async () => {
    await configure();
    const first = await ssoSignIn("corp", "alice", "alice-pass");
    await idp.setGroups("alice", ["payments"]);
    const second = await ssoSignIn("corp", "alice", "alice-pass");
    expect(await membershipsOf("alice@corp.example")).toEqual({ payments: "member/sso" });
    // Teams are read per request from the memberships, so the older session lost the team too.
    expect(await validateSession(first.sessionToken)).not.toBeNull();
    const removed = await db().auditEvent.findMany({ where: { action: "sso.membership.remove" } });
    expect(removed.map((r) => r.targetName)).toEqual(["search"]);
    expect(second.sessionToken).not.toBe(first.sessionToken);
  });

  it("makes admins only through the admin group mapping", async () => {
    await configure();
    await ssoSignIn("corp", "root", "root-pass");
    expect((await db().user.findUnique({ where: { email: "root@corp.example" } }))?.isAdmin).toBe(true);
  });

  it("takes provider-granted admin away once no mapping grants it; admin set by hand stays", async () => {
    await configure();
    await ssoSignIn("corp", "root", "root-pass");
    const isAdmin = async (email: string) => (await db().user.findUniqueOrThrow({ where: { email } })).isAdmin;
    expect(await isAdmin("root@corp.example")).toBe(true);
    // The last admin mapping goes (straight in the table here, so that no re-sync on save is
    // involved): the next sign-in ends the admin rights it gave.
    await db().ssoGroupMapping.deleteMany({ where: { admin: true } });
    await ssoSignIn("corp", "root", "root-pass");
    expect(await isAdmin("root@corp.example")).toBe(false);
    const row = await db().auditEvent.findFirst({
      where: { action: "auth.sso.sign-in", result: { not: "started" } },
      orderBy: { id: "desc" },
    });
    expect(row?.details).toMatchObject({ admin: false });

    // An admin made by hand is not the provider's to take away.
    await ssoSignIn("corp", "alice", "alice-pass");
    const alice = await db().user.findUniqueOrThrow({ where: { email: "alice@corp.example" } });
    await updateUser(alice.id, { isAdmin: true });
    await ssoSignIn("corp", "alice", "alice-pass");
    expect(await isAdmin("alice@corp.example")).toBe(true);
  });

  it("reads groups from userinfo when the ID token does not carry them", async () => {
    await configure();
    await idp.groupsInUserinfoOnly(true);
    const outcome = await ssoSignIn("corp", "alice", "alice-pass");
    expect(ssoErrorOf(outcome)).toBeNull();
    expect(await membershipsOf("alice@corp.example")).toEqual({ payments: "member/sso", search: "maintainer/sso" });
  });

  it("refuses an email domain that is not allowed, creating no user", async () => {
    await configure();
    const outcome = await ssoSignIn("corp", "mallory", "mallory-pass");
    expect(ssoErrorOf(outcome)).toEqual({ code: "domain_not_allowed", detail: null });
    expect(outcome.sessionToken).toBeUndefined();
    expect(await db().user.count({ where: { ssoProviderId: { not: null } } })).toBe(0);
    const row = await db().auditEvent.findFirst({ where: { action: "auth.sso.sign-in", result: { not: "started" } } });
    expect(row?.result).toBe("denied");
    expect(row?.details).toMatchObject({ provider: "corp", reason: "domain_not_allowed" });
  });

  it("an SSO session ends once its groups were read longer ago than the idle timeout; local sessions do not", async () => {
    await configure();
    const outcome = await ssoSignIn("corp", "alice", "alice-pass");
    const local = await createTestUser();
    const localSession = await createSession(local.id, { clientIp: null, userAgent: null });
    const idleMs = sessionLifetimes().idleMs;
    // Both were used a moment ago; only the SSO one carries a group reading, now just past the idle timeout.
    await db().session.updateMany({ data: { lastSeenAt: new Date() } });
    await db().session.updateMany({
      where: { ssoProviderId: { not: null } },
      data: { ssoSyncedAt: new Date(Date.now() - idleMs - 1000) },
    });
    expect(await validateSession(outcome.sessionToken)).toBeNull();
    expect(await validateSession(localSession.token)).not.toBeNull();
  });

  it("API tokens follow the user's current memberships", async () => {
    await configure();
    await ssoSignIn("corp", "alice", "alice-pass");
    const alice = await db().user.findUniqueOrThrow({ where: { email: "alice@corp.example" } });
    const { token } = await createApiToken(alice.id, { name: "ci", expiresAt: null });
    const teamsViaToken = async () => {
      const caller = await authenticate({ authorization: `Bearer ${token}` });
      return caller ? (await loadAccessProfile(caller)).teamNames : null;
    };
    expect(await teamsViaToken()).toEqual(["payments", "search"]);
    // Such an account has no password an admin could reset (it would be a second way in).
    await expect(resetPassword(alice.id, "a new long password")).rejects.toMatchObject({ status: 409 });
    await idp.setGroups("alice", []);
    await ssoSignIn("corp", "alice", "alice-pass");
    expect(await teamsViaToken()).toEqual([]);
    // Not signed in through the provider for longer than ARCHIPELAGO_SSO_TOKEN_MAX_SYNC_AGE_HOURS: the token stops.
    const maxAgeMs = env().ARCHIPELAGO_SSO_TOKEN_MAX_SYNC_AGE_HOURS * 3_600_000;
    await db().user.update({
      where: { id: alice.id },
      data: { ssoSyncedAt: new Date(Date.now() - maxAgeMs - 60_000) },
    });
    expect(await teamsViaToken()).toBeNull();
    await ssoSignIn("corp", "alice", "alice-pass");
    expect(await teamsViaToken()).toEqual([]);
  });

  it("a user disabled in Archipelago cannot sign in through the provider either", async () => {
    await configure();
    await ssoSignIn("corp", "alice", "alice-pass");
    await db().user.update({ where: { email: "alice@corp.example" }, data: { disabledAt: new Date() } });
    await idp.setGroups("alice", ["payments"]);
    const outcome = await ssoSignIn("corp", "alice", "alice-pass");
    expect(ssoErrorOf(outcome)).toEqual({ code: "account_disabled", detail: null });
    // Refused inside the transaction: the groups were not synced either.
    expect(await membershipsOf("alice@corp.example")).toEqual({ payments: "member/sso", search: "maintainer/sso" });
  });

  it("refuses an email the provider marks unverified (it would name the user on clusters)", async () => {
    await configure();
    await idp.setEmailVerified("alice", false);
    try {
      const outcome = await ssoSignIn("corp", "alice", "alice-pass");
      expect(ssoErrorOf(outcome)).toEqual({ code: "email_unverified", detail: null });
      expect(await db().user.count({ where: { ssoProviderId: { not: null } } })).toBe(0);
    } finally {
      await idp.setEmailVerified("alice", true);
    }
  });

  it("switching a provider off ends its sessions", async () => {
    const provider = await configure();
    const outcome = await ssoSignIn("corp", "alice", "alice-pass");
    expect(await validateSession(outcome.sessionToken)).not.toBeNull();
    await updateSsoProvider(provider.id, { enabled: false });
    expect(await validateSession(outcome.sessionToken)).toBeNull();
    expect(ssoErrorOf(await startSignIn("corp"))).toEqual({ code: "provider_unknown", detail: null });
  });

  it("a provider switched off stops its users' sessions and API tokens, however it was switched off", async () => {
    const provider = await configure();
    const outcome = await ssoSignIn("corp", "alice", "alice-pass");
    const alice = await db().user.findUniqueOrThrow({ where: { email: "alice@corp.example" } });
    const { token } = await createApiToken(alice.id, { name: "ci", expiresAt: null });
    const viaToken = () => authenticate({ authorization: `Bearer ${token}` });
    expect(await viaToken()).not.toBeNull();
    await updateSsoProvider(provider.id, { enabled: false });
    expect(await viaToken()).toBeNull();
    // Switched off without deleting sessions (as ARCHIPELAGO_SSO_PROVIDERS does for a provider it drops).
    await updateSsoProvider(provider.id, { enabled: true });
    const again = await ssoSignIn("corp", "alice", "alice-pass");
    expect(await validateSession(again.sessionToken)).not.toBeNull();
    await db().ssoProvider.update({ where: { id: provider.id }, data: { enabled: false } });
    expect(await validateSession(again.sessionToken)).toBeNull();
    expect(await viaToken()).toBeNull();
    expect(await validateSession(outcome.sessionToken)).toBeNull();
  });

  it("saving mappings re-syncs every linked user at once (teams and admin, tokens included), audited", async () => {
    const provider = await configure();
    await ssoSignIn("corp", "alice", "alice-pass");
    await ssoSignIn("corp", "root", "root-pass");
    const alice = await db().user.findUniqueOrThrow({ where: { email: "alice@corp.example" } });
    const { token } = await createApiToken(alice.id, { name: "ci", expiresAt: null });
    const admin = await db().user.findUniqueOrThrow({ where: { email: "admin@example.com" } });
    const adminSession = (await createSession(admin.id, { clientIp: null, userAgent: null })).token;
    const patched = await callRoute(patchProvider, {
      method: "PATCH",
      path: `/api/v1/sso/providers/${provider.id}`,
      params: { id: provider.id },
      session: adminSession,
      body: { mappings: [{ group: "payments", teamId: teams.search, role: "member" }] },
    });
    expect(patched.status).toBe(200);
    // Nobody signed in again: the stored groups of the last sign-in are mapped anew.
    expect(await membershipsOf("alice@corp.example")).toEqual({ search: "member/sso" });
    const caller = await authenticate({ authorization: `Bearer ${token}` });
    expect((await loadAccessProfile(caller!)).teamNames).toEqual(["search"]);
    expect((await db().user.findUniqueOrThrow({ where: { email: "root@corp.example" } })).isAdmin).toBe(false);
    const row = await db().auditEvent.findFirst({
      where: { action: "sso.provider.update", result: "success" },
    });
    expect(row?.details).toMatchObject({
      resynced: [
        { user: "alice@corp.example", teamsAdded: ["search (member)"], teamsRemoved: ["payments"] },
        { user: "root@corp.example", admin: false },
      ],
    });
  });

  it("waits for the first-admin setup: on an empty database nobody signs in through the provider", async () => {
    await configure();
    await db().user.deleteMany();
    expect(await needsFirstAdmin()).toBe(true);
    const refused = await ssoSignIn("corp", "root", "root-pass");
    expect(ssoErrorOf(refused)).toEqual({ code: "setup_pending", detail: null });
    expect(await db().user.count()).toBe(0);
    expect(await needsFirstAdmin()).toBe(true);
    // A sign-in started while an account existed cannot finish on an emptied database either.
    const helper = await createTestUser({ email: "helper@example.com" });
    const started = await startSignIn("corp");
    const callback = await loginAtProvider(started.location, { login: "root", password: "root-pass" });
    await db().user.delete({ where: { id: helper.id } });
    const finished = await finishSignIn(callback, started.browserCookie);
    expect(ssoErrorOf(finished)).toEqual({ code: "setup_pending", detail: null });
    expect(await db().user.count()).toBe(0);

    await createFirstAdmin({ email: "first@example.com", name: "First", password: "a long first password" });
    const outcome = await ssoSignIn("corp", "root", "root-pass");
    expect(ssoErrorOf(outcome)).toBeNull();
  });

  it("provider memberships cannot be changed or removed by hand; hand-made ones can", async () => {
    await configure();
    await ssoSignIn("corp", "alice", "alice-pass");
    const alice = await db().user.findUniqueOrThrow({ where: { email: "alice@corp.example" } });
    const admin = await db().user.findUniqueOrThrow({ where: { email: "admin@example.com" } });
    const profile = await loadAccessProfile({ user: admin, via: "session" });
    await expect(updateMember(profile, teams.payments, alice.id, "maintainer")).rejects.toMatchObject({ status: 409 });
    await expect(removeMember(profile, teams.payments, alice.id)).rejects.toMatchObject({ status: 409 });
    expect(await membershipsOf("alice@corp.example")).toEqual({ payments: "member/sso", search: "maintainer/sso" });
    await expect(removeMember(profile, teams.payments, admin.id)).rejects.toMatchObject({ status: 404 });
    await db().membership.create({ data: { teamId: teams.payments, userId: admin.id, role: "member" } });
    await updateMember(profile, teams.payments, admin.id, "maintainer");
    await removeMember(profile, teams.payments, admin.id);
    expect(await db().membership.count({ where: { userId: admin.id } })).toBe(0);
  });

  it("refuses to take over a local account with the same email", async () => {
    await configure();
    await createTestUser({ email: "alice@corp.example", isAdmin: true });
    const outcome = await ssoSignIn("corp", "alice", "alice-pass");
    expect(ssoErrorOf(outcome)).toEqual({ code: "email_taken", detail: null });
    expect(await db().user.count()).toBe(2);
    expect(await db().membership.count()).toBe(0);
  });
});
