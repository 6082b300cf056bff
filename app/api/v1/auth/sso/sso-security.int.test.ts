import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as testConfigurationHandler } from "@/app/api/v1/sso/providers/test/route";
import { POST as signInHandler } from "@/app/api/v1/auth/sign-in/route";
import { POST as createProviderHandler } from "@/app/api/v1/sso/providers/route";
import { PATCH as patchProviderHandler } from "@/app/api/v1/sso/providers/[id]/route";
import { createSession } from "@/lib/server/auth/sessions";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import { callRoute } from "@/lib/testing/call-route";
import { startTestIdp, type TestIdp } from "@/lib/testing/oidc-idp";
import { resetDatabase } from "@/lib/testing/reset-database";
import { createTestUser, TEST_PASSWORD } from "@/lib/testing/users";
import { finishSignIn, loginAtProvider, ssoErrorOf, ssoSignIn, startSignIn } from "./sso-browser";
import { createSsoProvider } from "@/lib/server/sso/providers";
import { deleteExpiredSsoAttempts } from "@/lib/server/sso/sign-in-flow";

/**
 * What must be refused, against the real provider process: ID tokens it hands out altered
 * after signing (the provider under test control, the client side untouched), state misuse,
 * the provider's own refusal, its key rotation, its absence; and the bad input of the issue.
 * After every refusal: no user, no session, and no token or client secret in any log line
 * or audit row.
 */

const CLIENT = { client_id: "archipelago", client_secret: "another-s3cret-client-value" };
const REDIRECT = "http://localhost:3000/api/v1/auth/sso/callback";
const USERS = [
  { login: "alice", password: "alice-pass", email: "alice@corp.example", name: "Alice", groups: ["payments"] },
];

let idp: TestIdp;
let teamId: string;
let admin: { token: string };
const logLines: string[] = [];

async function configure() {
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
    allowedEmailDomains: [],
    sendGroupsToClusters: true,
    clusterGroupPrefix: "oidc:",
    enabled: true,
    mappings: [{ group: "payments", teamId, role: "member" }],
  });
}

async function expectNothingCreated() {
  expect(await db().user.count({ where: { ssoProviderId: { not: null } } })).toBe(0);
  expect(await db().session.count({ where: { ssoProviderId: { not: null } } })).toBe(0);
}

async function expectNoSecretsAnywhere() {
  const rows = await db().auditEvent.findMany();
  const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)) + logLines.join("\n");
  expect(text).not.toContain(CLIENT.client_secret);
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
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
  teamId = (await db().team.create({ data: { name: "payments" } })).id;
  const user = await createTestUser({ email: "admin@example.com", isAdmin: true });
  admin = await createSession(user.id, { clientIp: "127.0.0.1", userAgent: "vitest" });
  logLines.length = 0;
});

describe("tampered ID tokens are refused", () => {
  for (const [mode, detail] of [
    ["foreign-key", "signature"],
    ["audience", "audience"],
    ["issuer", "issuer"],
    ["expired", "expired"],
    ["nonce", "nonce"],
  ] as const) {
    it(`${mode}: refused as ${detail}, nothing created`, async () => {
      await configure();
      await idp.tamper(mode);
      const outcome = await ssoSignIn("corp", "alice", "alice-pass");
      expect(ssoErrorOf(outcome)).toEqual({ code: "token_invalid", detail });
      expect(outcome.sessionToken).toBeUndefined();
      await expectNothingCreated();
      const row = await db().auditEvent.findFirst({
        where: { action: "auth.sso.sign-in", result: { not: "started" } },
      });
      expect(row?.result).toBe("denied");
      expect(row?.details).toMatchObject({ provider: "corp", reason: "token_invalid", check: detail });
      await expectNoSecretsAnywhere();
    });
  }
});

describe("state", () => {
  it("a replayed callback (same state and code) is refused", async () => {
    await configure();
    const started = await startSignIn("corp");
    const callback = await loginAtProvider(started.location, { login: "alice", password: "alice-pass" });
    expect(ssoErrorOf(await finishSignIn(callback, started.browserCookie))).toBeNull();
    const replay = await finishSignIn(callback, started.browserCookie);
    expect(ssoErrorOf(replay)).toEqual({ code: "state_invalid", detail: "state" });
    expect(replay.sessionToken).toBeUndefined();
  });

  it("a callback without state, with an unknown state, or with another browser's state is refused", async () => {
    await configure();
    const noState = await finishSignIn(`${REDIRECT}?code=abc`, "whatever");
    expect(ssoErrorOf(noState)).toEqual({ code: "state_invalid", detail: "state" });
    const unknown = await finishSignIn(`${REDIRECT}?code=abc&state=made-up`, "whatever");
    expect(ssoErrorOf(unknown)).toEqual({ code: "state_invalid", detail: "state" });

    // Login CSRF: the attacker's own finished sign-in, replayed in the victim's browser.
    const started = await startSignIn("corp");
    const callback = await loginAtProvider(started.location, { login: "alice", password: "alice-pass" });
    const foreign = await finishSignIn(callback, "the-victims-own-cookie");
    expect(ssoErrorOf(foreign)).toEqual({ code: "state_invalid", detail: "state" });
    const noCookie = await finishSignIn(callback, undefined);
    expect(ssoErrorOf(noCookie)).toEqual({ code: "state_invalid", detail: "state" });
    await expectNothingCreated();
  });

  it("a sign-in's PKCE verifier and nonce are sealed at rest, bound to their attempt, and purged once expired", async () => {
    await configure();
    const started = await startSignIn("corp");
    const nonce = new URL(started.location).searchParams.get("nonce")!;
    const rows = await db().$queryRaw<Record<string, unknown>[]>`SELECT * FROM sso_login_attempts`;
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!)).not.toEqual(expect.arrayContaining(["code_verifier"]));
    expect(JSON.stringify(rows)).not.toContain(nonce);
    // Moved to another attempt's row, the sealed secrets do not open (the state's hash is bound in).
    const other = await startSignIn("corp");
    await db().$executeRaw`UPDATE sso_login_attempts SET sealed = ${JSON.stringify(rows[0]!.sealed)}::jsonb
      WHERE id <> ${rows[0]!.id as string}`;
    const moved = await loginAtProvider(other.location, { login: "alice", password: "alice-pass" });
    const refused = await finishSignIn(moved, other.browserCookie);
    expect(ssoErrorOf(refused)).toEqual({ code: "state_invalid", detail: "state" });
    expect(refused.sessionToken).toBeUndefined();
    // The first one still completes with its own.
    const callback = await loginAtProvider(started.location, { login: "alice", password: "alice-pass" });
    expect(ssoErrorOf(await finishSignIn(callback, started.browserCookie))).toBeNull();

    await startSignIn("corp");
    await db().ssoLoginAttempt.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await deleteExpiredSsoAttempts()).toBe(1);
    expect(await db().ssoLoginAttempt.count()).toBe(0);
  });

  it("an error answered by the provider (the user pressed Cancel) is shown as such", async () => {
    await configure();
    const started = await startSignIn("corp");
    const callback = await loginAtProvider(started.location, "cancel");
    expect(new URL(callback).searchParams.get("error")).toBe("access_denied");
    const outcome = await finishSignIn(callback, started.browserCookie);
    expect(ssoErrorOf(outcome)).toEqual({ code: "provider_denied", detail: "access_denied" });
    await expectNothingCreated();
  });
});

describe("the provider's keys and availability", () => {
  it("follows a key rotation: the next sign-in verifies with the new key", async () => {
    await configure();
    expect(ssoErrorOf(await ssoSignIn("corp", "alice", "alice-pass"))).toBeNull();
    const { previousKid, kid } = await idp.rotateKeys();
    expect(kid).not.toBe(previousKid);
    const after = await ssoSignIn("corp", "alice", "alice-pass");
    expect(ssoErrorOf(after)).toBeNull();
    expect(after.sessionToken).toBeDefined();
  });

  it("provider down: a clear message on the sign-in page; a break-glass local admin still signs in", async () => {
    await configure();
    await db().authSettings.create({ data: { passwordSignIn: false, breakGlassEmails: ["admin@example.com"] } });
    await idp.stop();
    try {
      const outcome = await startSignIn("corp");
      expect(ssoErrorOf(outcome)).toEqual({ code: "provider_unreachable", detail: null });

      const local = await callRoute(signInHandler, {
        method: "POST",
        path: "/api/v1/auth/sign-in",
        body: { email: "admin@example.com", password: TEST_PASSWORD },
      });
      expect(local.status).toBe(200);
      const other = await createTestUser({ email: "someone@example.com" });
      const refused = await callRoute(signInHandler, {
        method: "POST",
        path: "/api/v1/auth/sign-in",
        body: { email: other.email, password: TEST_PASSWORD },
      });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: "password_sign_in_off" } });
    } finally {
      await idp.start();
    }
  });
});

describe("bad input", () => {
  const test = (body: unknown) =>
    callRoute(testConfigurationHandler, {
      method: "POST",
      path: "/api/v1/sso/providers/test",
      body,
      session: admin.token,
    });

  it("an issuer that is not https (except loopback) is refused naming the field", async () => {
    const answer = await test({ issuer: "http://login.example.com", clientId: "x", clientSecret: "y" });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { fields: { issuer: [expect.stringContaining("https")] } } });
    const created = await callRoute(createProviderHandler, {
      method: "POST",
      path: "/api/v1/sso/providers",
      session: admin.token,
      body: { slug: "x", displayName: "X", issuer: "http://login.example.com", clientId: "x", clientSecret: "y" },
    });
    expect(created.status).toBe(400);
    expect(await db().ssoProvider.count()).toBe(0);
  });

  it("a refused issuer is not written to the audit trail (it may hold credentials)", async () => {
    const refused = await callRoute(createProviderHandler, {
      method: "POST",
      path: "/api/v1/sso/providers",
      session: admin.token,
      body: {
        slug: "x",
        displayName: "X",
        issuer: "https://someone:hunter2-password@login.example.com",
        clientId: "x",
        clientSecret: "y",
      },
    });
    expect(refused.status).toBe(400);
    const rows = await db().auditEvent.findMany({ where: { action: "sso.provider.create" } });
    expect(rows.map((r) => r.result).sort()).toEqual(["failure", "started"]);
    expect(JSON.stringify(rows.map((r) => r.details))).not.toContain("hunter2");
    await configure();
    const accepted = await callRoute(createProviderHandler, {
      method: "POST",
      path: "/api/v1/sso/providers",
      session: admin.token,
      body: { slug: "y", displayName: "Y", issuer: idp.issuer, clientId: "x", clientSecret: "y" },
    });
    expect(accepted.status).toBe(201);
    const row = await db().auditEvent.findFirst({ where: { action: "sso.provider.create", result: "success" } });
    expect(row?.details).toMatchObject({ issuer: idp.issuer });
  });

  it("an unreachable issuer and a URL that is not an issuer get clear results", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await test({ issuer: `http://127.0.0.1:${port}`, clientId: "x" });
    expect(unreachable.status).toBe(200);
    expect(unreachable.body).toMatchObject({
      result: { ok: false, problems: [expect.stringMatching(/could not be reached/)] },
    });

    const notIssuer = http.createServer((_req, res) => {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("nothing here");
    });
    await new Promise<void>((resolve) => notIssuer.listen(0, "127.0.0.1", resolve));
    try {
      const answer = await test({
        issuer: `http://127.0.0.1:${(notIssuer.address() as AddressInfo).port}`,
        clientId: "x",
      });
      expect(answer.body).toMatchObject({
        result: { ok: false, problems: [expect.stringMatching(/not an OpenID Connect issuer/)] },
      });
    } finally {
      notIssuer.close();
    }
  });

  it("the test tells a wrong client secret from a right one, and shows the redirect URI to register", async () => {
    const wrong = await test({ issuer: idp.issuer, clientId: CLIENT.client_id, clientSecret: "wrong" });
    expect(wrong.body).toMatchObject({
      result: {
        ok: false,
        clientCredentials: "rejected",
        problems: [expect.stringMatching(/rejected the client id or secret/)],
      },
    });
    const provider = await configure();
    const right = await test({ providerId: provider.id });
    expect(right.body).toMatchObject({
      result: {
        ok: true,
        clientCredentials: "accepted",
        redirectUri: REDIRECT,
        discovery: { endSessionEndpoint: expect.stringContaining(idp.issuer) },
      },
    });
    await expectNoSecretsAnywhere();
  });

  it("the issuer changes only with a new client secret and while no user is linked; the stored secret goes nowhere else", async () => {
    // Someone else's host, playing a provider: it records every request it gets.
    const seen: string[] = [];
    const foreign = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ""}`);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => foreign.listen(0, "127.0.0.1", resolve));
    const foreignIssuer = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
    try {
      const provider = await configure();
      const patch = (body: unknown) =>
        callRoute(patchProviderHandler, {
          method: "PATCH",
          path: `/api/v1/sso/providers/${provider.id}`,
          params: { id: provider.id },
          session: admin.token,
          body,
        });
      const keepSecret = await patch({ issuer: foreignIssuer });
      expect(keepSecret.status).toBe(400);
      expect(keepSecret.body).toMatchObject({ error: { fields: { clientSecret: [expect.any(String)] } } });

      const outcome = await ssoSignIn("corp", "alice", "alice-pass");
      expect(ssoErrorOf(outcome)).toBeNull();
      const linked = await patch({ issuer: foreignIssuer, clientSecret: "a-new-secret" });
      expect(linked.status).toBe(409);
      expect(linked.body).toMatchObject({ error: { fields: { issuer: [expect.any(String)] } } });
      expect((await db().ssoProvider.findUniqueOrThrow({ where: { id: provider.id } })).issuer).toBe(idp.issuer);
      // The same issuer written again is no change; other fields still save.
      expect((await patch({ issuer: `${idp.issuer}/`, displayName: "Corp" })).status).toBe(200);

      // Signing in and testing the saved provider still go to its own issuer only.
      expect((await test({ providerId: provider.id })).body).toMatchObject({ result: { ok: true } });
      expect(seen).toEqual([]);

      // Without linked users, a new issuer with its own secret is a new provider setup: allowed.
      await db().session.deleteMany({ where: { ssoProviderId: provider.id } });
      await db().user.deleteMany({ where: { ssoProviderId: provider.id } });
      expect((await patch({ issuer: foreignIssuer, clientSecret: "a-new-secret" })).status).toBe(200);
      await expectNoSecretsAnywhere();
    } finally {
      foreign.close();
    }
  });

  it("a malformed callback lands on the sign-in page (not JSON) and clears the binding cookie", async () => {
    await configure();
    const started = await startSignIn("corp");
    for (const query of [
      `state=${"s".repeat(600)}&code=abc`,
      "state=abc&error=access_denied&error_description=bad%01news",
      `state=abc&code=${"c".repeat(5000)}`,
    ]) {
      const outcome = await finishSignIn(`${REDIRECT}?${query}`, started.browserCookie);
      expect(outcome.status).toBe(303);
      expect(ssoErrorOf(outcome)).toEqual({ code: "callback_invalid", detail: null });
      expect(outcome.bindingCleared).toBe(true);
    }
    const rows = await db().auditEvent.findMany({ where: { action: "auth.sso.sign-in", result: { not: "started" } } });
    expect(rows.map((r) => r.details)).toContainEqual(expect.objectContaining({ reason: "callback_invalid" }));
    await expectNothingCreated();
  });

  it("fails closed when the audit log cannot be written: no account before the start row, no session without the outcome", async () => {
    await configure();
    await db().$executeRawUnsafe(
      `CREATE FUNCTION refuse_sso_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no audit'; END $$`,
    );
    const refuse = (when: string) =>
      db().$executeRawUnsafe(
        `CREATE TRIGGER refuse_sso_audit BEFORE INSERT ON audit_events FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION refuse_sso_audit()`,
      );
    const allow = () => db().$executeRawUnsafe(`DROP TRIGGER IF EXISTS refuse_sso_audit ON audit_events`);
    try {
      await refuse(`NEW.action = 'auth.sso.sign-in'`);
      const noStart = await ssoSignIn("corp", "alice", "alice-pass");
      expect(ssoErrorOf(noStart)).toEqual({ code: "audit_unavailable", detail: null });
      expect(noStart.sessionToken).toBeUndefined();
      await expectNothingCreated();

      await allow();
      await refuse(`NEW.action = 'auth.sso.sign-in' AND NEW.result <> 'started'`);
      const noOutcome = await ssoSignIn("corp", "alice", "alice-pass");
      expect(ssoErrorOf(noOutcome)).toEqual({ code: "audit_unavailable", detail: null });
      expect(noOutcome.sessionToken).toBeUndefined();
      expect(await db().session.count({ where: { ssoProviderId: { not: null } } })).toBe(0);
      expect(await db().auditEvent.count({ where: { action: "auth.sso.sign-in", result: "started" } })).toBe(1);
    } finally {
      await allow();
      await db().$executeRawUnsafe(`DROP FUNCTION refuse_sso_audit()`);
    }
  });

  it("a mapping to a team that no longer exists is refused naming the mapping", async () => {
    await db().team.delete({ where: { id: teamId } });
    await expect(configure()).rejects.toMatchObject({
      status: 400,
      options: { fields: { "mappings.0.teamId": [expect.stringContaining("does not exist")] } },
    });
    expect(await db().ssoProvider.count()).toBe(0);
  });
});
