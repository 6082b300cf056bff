import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET as listProviders, POST as createProvider } from "@/app/api/v1/sso/providers/route";
import { PATCH as patchProvider } from "@/app/api/v1/sso/providers/[id]/route";
import { POST as testConfiguration } from "@/app/api/v1/sso/providers/test/route";
import { PUT as putSettings } from "@/app/api/v1/auth/settings/route";
import { POST as setup } from "@/app/api/v1/setup/route";
import { POST as signIn } from "@/app/api/v1/auth/sign-in/route";
import { createSession } from "@/lib/server/auth/sessions";
import { resetEnvForTests } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import { parseEnvProviders, resetEnvProvidersForTests } from "@/lib/server/sso/env-providers";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { createTestUser, TEST_PASSWORD } from "@/lib/testing/users";

/** Configuration from the environment (locking the UI), sign-in settings, and the issuer fetch guard. */

const ENV_SECRET = "env-client-secret-never-shown";
const VARS = ["ARCHIPELAGO_SSO_PROVIDERS", "ARCHIPELAGO_PASSWORD_SIGNIN", "ARCHIPELAGO_BREAK_GLASS_ADMINS"];

let adminSession: string;

function setEnv(values: Record<string, string>) {
  Object.assign(process.env, values);
  resetEnvForTests();
  resetEnvProvidersForTests();
}

beforeEach(async () => {
  await resetDatabase();
  resetEnvProvidersForTests();
  const admin = await createTestUser({ email: "admin@example.com", isAdmin: true });
  adminSession = (await createSession(admin.id, { clientIp: null, userAgent: null })).token;
});
afterEach(() => {
  for (const name of VARS) delete process.env[name];
  resetEnvForTests();
  resetEnvProvidersForTests();
  vi.restoreAllMocks();
});

describe("ARCHIPELAGO_SSO_PROVIDERS", () => {
  it("writes the providers with team mappings by name, read-only in the API, secret never shown", async () => {
    const payments = await db().team.create({ data: { name: "payments" } });
    const warnings: unknown[] = [];
    vi.spyOn(logger, "warn").mockImplementation(((obj: unknown) => void warnings.push(obj)) as never);
    setEnv({
      ARCHIPELAGO_SSO_PROVIDERS: JSON.stringify([
        {
          slug: "corp",
          displayName: "Corp",
          issuer: "https://login.corp.example",
          clientId: "archipelago",
          clientSecret: ENV_SECRET,
          mappings: [
            { group: "payments", team: "payments", role: "maintainer" },
            { group: "ghosts", team: "no-such-team" },
            { group: "admins", admin: true },
          ],
        },
      ]),
    });
    const listed = await callRoute(listProviders, { path: "/api/v1/sso/providers", session: adminSession });
    expect(listed.status).toBe(200);
    const [provider] = (listed.body as { providers: Array<Record<string, unknown>> }).providers;
    expect(provider).toMatchObject({
      slug: "corp",
      managedByEnv: true,
      mappings: [
        { group: "admins", admin: true },
        { group: "payments", teamId: payments.id, role: "maintainer" },
      ],
    });
    expect(JSON.stringify(listed.body)).not.toContain(ENV_SECRET);
    expect(warnings).toEqual([expect.objectContaining({ provider: "corp", team: "no-such-team" })]);

    const patched = await callRoute(patchProvider, {
      method: "PATCH",
      path: `/api/v1/sso/providers/${String(provider!.id)}`,
      params: { id: String(provider!.id) },
      body: { displayName: "Changed" },
      session: adminSession,
    });
    expect(patched.status).toBe(409);
    expect(JSON.stringify(patched.body)).toContain("ARCHIPELAGO_SSO_PROVIDERS");
  });

  it("an issuer changed in the variable while users sign in with the provider disables it instead", async () => {
    const errors: unknown[] = [];
    vi.spyOn(logger, "error").mockImplementation(((obj: unknown) => void errors.push(obj)) as never);
    const entry = { slug: "corp", displayName: "Corp", clientId: "archipelago", clientSecret: ENV_SECRET };
    setEnv({ ARCHIPELAGO_SSO_PROVIDERS: JSON.stringify([{ ...entry, issuer: "https://login.corp.example" }]) });
    await callRoute(listProviders, { path: "/api/v1/sso/providers", session: adminSession });
    const provider = await db().ssoProvider.findUniqueOrThrow({ where: { slug: "corp" } });
    await db().user.create({
      data: { email: "sso@corp.example", name: "S", passwordHash: "", ssoProviderId: provider.id, ssoSubject: "s1" },
    });
    setEnv({ ARCHIPELAGO_SSO_PROVIDERS: JSON.stringify([{ ...entry, issuer: "https://elsewhere.example" }]) });
    await callRoute(listProviders, { path: "/api/v1/sso/providers", session: adminSession });
    expect(await db().ssoProvider.findUniqueOrThrow({ where: { slug: "corp" } })).toMatchObject({
      issuer: "https://login.corp.example",
      enabled: false,
    });
    expect(errors).toEqual([expect.objectContaining({ provider: "corp" })]);
  });

  it("a bad value is refused naming the variable and field, never echoing the secret", () => {
    expect(() => parseEnvProviders("{not json")).toThrow(/ARCHIPELAGO_SSO_PROVIDERS is not valid JSON/);
    const insecure = JSON.stringify([
      { slug: "corp", displayName: "C", issuer: "http://login.corp.example", clientId: "a", clientSecret: ENV_SECRET },
    ]);
    expect(() => parseEnvProviders(insecure)).toThrow(/0\.issuer must be https/);
    try {
      parseEnvProviders(JSON.stringify([{ slug: "BAD SLUG", clientSecret: ENV_SECRET }]));
      expect.unreachable();
    } catch (error) {
      expect(String(error)).toMatch(/ARCHIPELAGO_SSO_PROVIDERS: 0\./);
      expect(String(error)).not.toContain(ENV_SECRET);
    }
  });
});

describe("groups sent to clusters", () => {
  const create = (fields: Record<string, unknown>) =>
    callRoute(createProvider, {
      method: "POST",
      path: "/api/v1/sso/providers",
      session: adminSession,
      body: {
        slug: "corp",
        displayName: "Corp",
        issuer: "https://login.corp.example",
        clientId: "archipelago",
        clientSecret: "a-client-secret",
        ...fields,
      },
    });

  it("go under a prefix: oidc: by default, never empty while sending, never system:", async () => {
    const empty = await create({ clusterGroupPrefix: "" });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain("clusterGroupPrefix");
    const reserved = await create({ clusterGroupPrefix: "System:" });
    expect(reserved.status).toBe(400);
    expect(JSON.stringify(reserved.body)).toContain("clusterGroupPrefix");
    // Not sending groups needs no prefix.
    expect((await create({ sendGroupsToClusters: false, clusterGroupPrefix: "" })).status).toBe(201);
    const provider = (await db().ssoProvider.findUniqueOrThrow({ where: { slug: "corp" } })).id;
    const turnedOn = await callRoute(patchProvider, {
      method: "PATCH",
      path: `/api/v1/sso/providers/${provider}`,
      params: { id: provider },
      session: adminSession,
      body: { sendGroupsToClusters: true },
    });
    expect(turnedOn.status).toBe(400);
    expect(JSON.stringify(turnedOn.body)).toContain("clusterGroupPrefix");
    await db().ssoProvider.deleteMany();
    const defaulted = await create({});
    expect(defaulted.body).toMatchObject({ provider: { sendGroupsToClusters: true, clusterGroupPrefix: "oidc:" } });
    const env = JSON.stringify([
      {
        slug: "corp",
        displayName: "C",
        issuer: "https://login.corp.example",
        clientId: "a",
        clientSecret: ENV_SECRET,
        clusterGroupPrefix: "",
      },
    ]);
    expect(() => parseEnvProviders(env)).toThrow(/0\.clusterGroupPrefix: Groups sent to clusters need a prefix/);
  });
});

describe("password sign-in settings", () => {
  const put = (body: unknown) =>
    callRoute(putSettings, { method: "PUT", path: "/api/v1/auth/settings", body, session: adminSession });

  it("cannot switch passwords off without an active local admin as break-glass", async () => {
    const refused = await put({ passwordSignIn: false, breakGlassEmails: [] });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { fields: { breakGlassEmails: [expect.any(String)] } } });
    const user = await createTestUser({ email: "plain@example.com" });
    const notAdmin = await put({ passwordSignIn: false, breakGlassEmails: ["admin@example.com", user.email] });
    expect(notAdmin.status).toBe(400);
    expect(notAdmin.body).toMatchObject({
      error: { fields: { breakGlassEmails: ["Not an active local admin: plain@example.com"] } },
    });
    expect(await db().authSettings.count()).toBe(0);
    expect((await put({ passwordSignIn: false, breakGlassEmails: ["admin@example.com"] })).status).toBe(200);
  });

  it("set from the environment: locked in the UI and in force", async () => {
    setEnv({ ARCHIPELAGO_PASSWORD_SIGNIN: "false", ARCHIPELAGO_BREAK_GLASS_ADMINS: "admin@example.com" });
    expect((await put({ passwordSignIn: true, breakGlassEmails: [] })).status).toBe(409);
    const user = await createTestUser();
    const refused = await callRoute(signIn, {
      method: "POST",
      path: "/api/v1/auth/sign-in",
      body: { email: user.email, password: TEST_PASSWORD },
    });
    expect(refused.status).toBe(403);
    const breakGlass = await callRoute(signIn, {
      method: "POST",
      path: "/api/v1/auth/sign-in",
      body: { email: "admin@example.com", password: TEST_PASSWORD },
    });
    expect(breakGlass.status).toBe(200);
  });

  it("break-glass is for local admins only, even when the environment names someone else", async () => {
    const user = await createTestUser({ email: "plain@example.com" });
    setEnv({ ARCHIPELAGO_PASSWORD_SIGNIN: "false", ARCHIPELAGO_BREAK_GLASS_ADMINS: `admin@example.com,${user.email}` });
    const refused = await callRoute(signIn, {
      method: "POST",
      path: "/api/v1/auth/sign-in",
      body: { email: user.email, password: TEST_PASSWORD },
    });
    expect(refused.status).toBe(401);
  });

  it("the first-admin setup still works on an empty database with password sign-in off", async () => {
    await resetDatabase();
    setEnv({ ARCHIPELAGO_PASSWORD_SIGNIN: "false", ARCHIPELAGO_BREAK_GLASS_ADMINS: "first@example.com" });
    const created = await callRoute(setup, {
      method: "POST",
      path: "/api/v1/setup",
      body: { email: "first@example.com", name: "First", password: "long enough password" },
    });
    expect(created.status).toBe(201);
    const again = await callRoute(signIn, {
      method: "POST",
      path: "/api/v1/auth/sign-in",
      body: { email: "first@example.com", password: "long enough password" },
    });
    expect(again.status).toBe(200);
  });
});

describe("the issuer fetch is guarded like cluster calls", () => {
  const test = (issuer: string) =>
    callRoute(testConfiguration, {
      method: "POST",
      path: "/api/v1/sso/providers/test",
      body: { issuer, clientId: "x" },
      session: adminSession,
    });

  it("refuses Archipelago's own web server and link-local metadata addresses, naming why", async () => {
    const own = await test("http://127.0.0.1:3000");
    expect(own.body).toMatchObject({
      result: { ok: false, problems: [expect.stringMatching(/own web server/)] },
    });
    const metadata = await test("https://169.254.169.254");
    expect(metadata.body).toMatchObject({ result: { ok: false, problems: [expect.stringMatching(/refused/)] } });
  });
});
