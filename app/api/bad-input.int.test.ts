import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Testbed } from "@/testbed/harness";
import type { CreateClusterBody } from "@/lib/schemas/clusters";
import type { CreateTemplateBody } from "@/lib/schemas/templates";
import { registerCluster } from "@/lib/server/clusters/register";
import { forgetAuditChainKey } from "@/lib/server/audit/chain-key";
import { verifyAuditChain } from "@/lib/server/audit/verify";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import { createAccessFixtures, type AccessFixtures } from "@/lib/testing/access-fixtures";
import { discoverRoutes, urlFor, type DiscoveredRoute } from "@/lib/testing/api-routes";
import { resetDatabase } from "@/lib/testing/reset-database";
import { demoTemplate } from "@/lib/testing/rollout-fixtures";
import { kubeconfigText, registrationFor, testbed } from "@/lib/testing/testbed-clusters";

/**
 * Issue 12, point 3: ordinary bad input never ends in a 500 or an error log line. Every
 * route under app/api (found by walking the folder) gets NUL bytes in each path
 * parameter, query value and body string, unknown fields, and integers past their
 * column's range; then the concrete cases the attack run found are checked by name.
 */

let tb: Testbed;
let f: AccessFixtures;
let routes: DiscoveredRoute[];
const errorLogs: unknown[] = [];

/** A body each route accepts (as admin), which the variants below then spoil. */
const BODIES: Record<string, (tb: Testbed) => unknown> = {
  "POST /api/v1/auth/sign-in": () => ({ email: "admin@example.com", password: "wrong password" }),
  "POST /api/v1/setup": () => ({ email: "late@example.com", name: "Late", password: "long enough password" }),
  "PUT /api/v1/auth/settings": () => ({ passwordSignIn: true, breakGlassEmails: ["admin@example.com"] }),
  "POST /api/v1/sso/providers": () => ({
    slug: "bad-input",
    displayName: "Corp",
    issuer: "https://login.corp.example",
    clientId: "archipelago",
    clientSecret: "bad-input-secret",
    mappings: [{ group: "g", teamId: f.teamAlpha, role: "member" }],
  }),
  "PATCH /api/v1/sso/providers/[id]": () => ({ displayName: "Renamed", allowedEmailDomains: ["corp.example"] }),
  "POST /api/v1/sso/providers/test": () => ({ issuer: "http://127.0.0.1:9", clientId: "archipelago" }),
  "POST /api/v1/clusters": (tb) => registrationFor(tb, "testbed-3", "bad-input"),
  "POST /api/v1/clusters/test": (tb) => connectionOf(registrationFor(tb, "testbed-3", "t")),
  "POST /api/v1/clusters/import/preview": (tb) => ({ kubeconfig: kubeconfigText(tb) }),
  "POST /api/v1/clusters/import": (tb) => ({
    kubeconfig: kubeconfigText(tb),
    contexts: [{ context: "testbed-3", name: "imported" }],
  }),
  "PATCH /api/v1/clusters/[id]": () => ({ description: "changed" }),
  "PUT /api/v1/clusters/[id]/credential": () => ({ credential: { type: "token", token: "replacement" } }),
  "POST /api/v1/users": () => ({ email: "created@example.com", name: "Created", password: "long enough password" }),
  "PATCH /api/v1/users/[id]": () => ({ name: "Renamed" }),
  "PUT /api/v1/users/[id]/password": () => ({ password: "another long password" }),
  "POST /api/v1/teams": () => ({ name: "team-new", description: "a team" }),
  "PATCH /api/v1/teams/[id]": () => ({ description: "changed" }),
  "POST /api/v1/teams/[id]/members": () => ({ email: "newcomer-admin@example.com" }),
  "PATCH /api/v1/teams/[id]/members/[userId]": () => ({ role: "maintainer" }),
  "POST /api/v1/teams/[id]/grants": () => ({ clusterSelector: "team=alpha", namespaces: ["team-a"], level: "view" }),
  "POST /api/v1/grants/preview": () => ({ clusterSelector: "team=alpha" }),
  "POST /api/v1/me/tokens": () => ({ name: "ci", expiresInDays: 30 }),
  "POST /api/v1/inventory/secrets/reveal": () => ({ cluster: f.clusterA.id, namespace: "team-a", name: "x" }),
  "POST /api/v1/templates": () => demoTemplate("tpl-bad"),
  "POST /api/v1/templates/lint": () => revisionOf(demoTemplate("lint")),
  "POST /api/v1/templates/[id]/revisions": () => revisionOf(demoTemplate("x", "fixture")),
  "POST /api/v1/rollouts/preview": () => rolloutBody(),
  "POST /api/v1/rollouts": () => rolloutBody(),
  "PATCH /api/v1/releases/[id]": () => ({ autoHeal: true }),
  "POST /api/v1/releases/[id]/drift": () => ({ heal: false }),
  "POST /api/v1/releases/[id]/rollback": () => ({ revision: 1 }),
  "POST /api/v1/notifications/subscriptions": () => ({
    teamId: f.teamAlpha,
    name: "hook",
    url: "http://127.0.0.1:9/hook",
    eventTypes: ["rollout.started"],
    unreachableMinutes: 5,
  }),
};
const connectionOf = ({ server, caData, insecureSkipTlsVerify, tlsServerName, credential }: CreateClusterBody) => ({
  server,
  caData,
  insecureSkipTlsVerify,
  tlsServerName,
  credential,
});
const revisionOf = ({ name: _name, description: _description, ...revision }: CreateTemplateBody) => revision;
const rolloutBody = () => ({
  releaseName: "bad-input",
  templateId: f.template.id,
  revision: 1,
  params: { image: "registry.local/demo:1.0" },
  targets: { clusterIds: [f.clusterA.id] },
});

const PARAMS = (): Record<string, string> => ({
  id: f.release,
  userId: f.users.view.id,
  grantId: f.bystanders.admin.grantId,
  number: "1",
  action: "pause",
  path: "nope",
  provider: "fixture-sso",
});

const NUL = "a\u0000b";
const HUGE = "9".repeat(30);
/** Half a UTF-16 pair: not text (issue 20). */
const LONE = "a\ud800b";
/** Dates Date.parse takes (or not) that Postgres' timestamptz cannot hold, and their neighbours. */
const BAD_DATES = [
  "?from=%2B275000-01-01",
  "?from=300000-01-01",
  "?from=-1e20",
  "?to=-004714-01-01",
  "?from=0000-01-01",
  "?to=12%2F31%2F99999",
  "?from=%ED%A0%80",
  "?from=2026-02-01&to=2026-01-01",
];

/** Every string leaf of a JSON value given a lone surrogate. */
function loneSurrogateStrings(value: unknown): unknown {
  if (typeof value === "string") return `${value}\ud800`;
  if (Array.isArray(value)) return value.map(loneSurrogateStrings);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, loneSurrogateStrings(item)]));
  return value;
}
/** The body's JSON text with one more top-level key, written as JSON.parse will make it (an own property). */
function withRawKey(body: unknown, key: string): string {
  const json = JSON.stringify(body);
  const extra = `${JSON.stringify(key)}:{"isAdmin":true,"polluted":1}`;
  return json === "{}" ? `{${extra}}` : `{${extra},${json.slice(1)}`;
}

/** Every string leaf of a JSON value replaced by one with a NUL byte (and a control character). */
function spoilStrings(value: unknown): unknown {
  if (typeof value === "string") return `${value}\u0000\u0007`;
  if (Array.isArray(value)) return value.map(spoilStrings);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, spoilStrings(item)]));
  return value;
}
/** Every number leaf past any integer column. */
function spoilNumbers(value: unknown, by: number): unknown {
  if (typeof value === "number") return by;
  if (Array.isArray(value)) return value.map((item) => spoilNumbers(item, by));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, spoilNumbers(item, by)]));
  return value;
}

async function send(
  route: DiscoveredRoute,
  input: { params?: Record<string, string>; search?: string; body?: unknown; rawBody?: string },
): Promise<{ status: number; text: string }> {
  const params = input.params ?? PARAMS();
  const headers = new Headers({
    origin: "http://localhost:3000",
    host: "localhost:3000",
    "x-archipelago-client-ip": "127.0.0.1",
    "x-archipelago-proto": "http",
    cookie: `archipelago_session=${f.users.admin.session}`,
  });
  const body = input.rawBody ?? (input.body === undefined ? undefined : JSON.stringify(input.body));
  if (body !== undefined) headers.set("content-type", "application/json");
  // A URL cannot carry a lone surrogate (encodeURIComponent throws); the handler still gets it as a segment.
  const urlParams = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.replace(/\p{Cs}/gu, "\uFFFD")]));
  const request = new NextRequest(
    new URL(urlFor(route.template, urlParams) + (input.search ?? ""), "http://localhost:3000"),
    { method: route.method, headers, body },
  );
  const response = await route.handler(request, { params: Promise.resolve(params) });
  return { status: response.status, text: await response.text() };
}

let fakeCluster: Server;
let fakeMode = "500";

beforeAll(async () => {
  tb = await testbed();
  routes = await discoverRoutes();
  for (const level of ["error", "fatal"] as const)
    vi.spyOn(logger, level).mockImplementation(((...args: unknown[]) => {
      errorLogs.push(args);
    }) as never);
  // A TLS server that answers like a broken API server: 500, bad JSON, a redirect.
  const dir = mkdtempSync(path.join(tmpdir(), "fake-cluster-"));
  execFileSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    path.join(dir, "key.pem"),
    "-out",
    path.join(dir, "cert.pem"),
    "-subj",
    "/CN=fake",
    "-days",
    "1",
  ]);
  fakeCluster = createServer(
    { key: readFileSync(path.join(dir, "key.pem")), cert: readFileSync(path.join(dir, "cert.pem")) },
    (request, response) => {
      if (fakeMode === "500") response.writeHead(500, { "content-type": "application/json" }).end('{"secret":"body"}');
      else if (fakeMode === "json") response.writeHead(200, { "content-type": "application/json" }).end("{not json");
      else response.writeHead(302, { location: "https://169.254.169.254/" }).end();
    },
  );
  await new Promise<void>((resolve) => fakeCluster.listen(0, "127.0.0.1", resolve));
}, 300_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await new Promise((resolve) => fakeCluster?.close(resolve));
});

describe("bad input never answers 500", () => {
  it("NUL bytes, unknown fields and huge integers on every route", async () => {
    await resetDatabase();
    f = await createAccessFixtures(tb);
    const failures: string[] = [];
    const check = (label: string, result: { status: number; text: string }, expectedStatus?: RegExp) => {
      if (result.status >= 500) failures.push(`${label}: ${result.status} ${result.text.slice(0, 200)}`);
      if (expectedStatus && !expectedStatus.test(String(result.status)))
        failures.push(`${label}: expected ${expectedStatus}, got ${result.status}`);
    };
    for (const route of routes) {
      for (const name of route.params) {
        check(`${route.key} param ${name}`, await send(route, { params: { ...PARAMS(), [name]: NUL } }), /^4/);
        check(
          `${route.key} param ${name} lone surrogate`,
          await send(route, { params: { ...PARAMS(), [name]: LONE } }),
          /^4/,
        );
      }
      for (const search of [
        `?bad=${encodeURIComponent(NUL)}`,
        `?before=${HUGE}`,
        `?page=${HUGE}`,
        `?limit=${HUGE}`,
        `?from=${HUGE}&to=1`,
        `?q=${encodeURIComponent(NUL)}`,
        `?cluster=${encodeURIComponent(NUL)}&kind=configmaps&namespace=team-a&name=x`,
        `?q=%ED%A0%80`,
        ...BAD_DATES,
      ])
        check(`${route.key} query ${search}`, await send(route, { search, body: BODIES[route.key]?.(tb) }));
      const body = BODIES[route.key]?.(tb);
      if (body === undefined) continue;
      const spoiled = spoilStrings(body);
      const hasString = JSON.stringify(spoiled) !== JSON.stringify(body);
      check(`${route.key} NUL in every string`, await send(route, { body: spoiled }), hasString ? /^4/ : undefined);
      check(`${route.key} unknown field`, await send(route, { body: { ...(body as object), sneaky: 1 } }), /^400$/);
      check(`${route.key} huge integers`, await send(route, { body: spoilNumbers(body, 1e20) }));
      check(`${route.key} int32 + 1`, await send(route, { body: spoilNumbers(body, 2_147_483_648) }));
      check(`${route.key} not an object`, await send(route, { rawBody: '"\\u0000"' }), /^4/);
      check(
        `${route.key} lone surrogate in every string`,
        await send(route, { body: loneSurrogateStrings(body) }),
        hasString ? /^400$/ : undefined,
      );
      check(`${route.key} lone surrogate key`, await send(route, { rawBody: withRawKey(body, "\ud800") }), /^400$/);
      for (const key of ["__proto__", "constructor", "toString"])
        check(`${route.key} ${key} key`, await send(route, { rawBody: withRawKey(body, key) }), /^400$/);
    }
    expect(failures).toEqual([]);
    expect(errorLogs).toEqual([]);
    // Every row the walk left (refusals naming odd fields included) verifies: no false tamper alarm.
    expect((await verifyAuditChain()).problems).toEqual([]);
  }, 600_000);

  const byKey = (key: string) => routes.find((route) => route.key === key)!;

  it("names the field: ?before past bigint, revisions past integer, NUL in a team name", async () => {
    await resetDatabase();
    f = await createAccessFixtures(tb);
    const before = await send(byKey("GET /api/v1/audit"), { search: `?before=${HUGE}` });
    expect(before.status).toBe(400);
    expect(JSON.parse(before.text).error.fields).toHaveProperty("before");
    const rollback = await send(byKey("POST /api/v1/releases/[id]/rollback"), { body: { revision: 99_999_999_999 } });
    expect(rollback.status).toBe(400);
    expect(JSON.parse(rollback.text).error.fields).toHaveProperty("revision");
    const diff = await send(byKey("GET /api/v1/templates/[id]/diff"), {
      params: { id: f.template.id },
      search: `?from=1&to=${HUGE}`,
    });
    expect(diff.status).toBe(400);
    expect(JSON.parse(diff.text).error.fields).toHaveProperty("to");
    const revision = await send(byKey("GET /api/v1/templates/[id]/revisions/[number]"), {
      params: { id: f.template.id, number: "99999999999" },
    });
    expect(revision.status).toBe(404);
    const team = await send(byKey("POST /api/v1/teams"), { body: { name: "evil\u0000team" } });
    expect(team.status).toBe(400);
    expect(JSON.parse(team.text).error.fields).toHaveProperty("name");
    const unknown = await send(byKey("POST /api/v1/teams"), { body: { name: "fine", isAdmin: true } });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.text).error.fields).toHaveProperty("isAdmin");
    const filter = await send(byKey("GET /api/v1/audit"), { search: `?user=${encodeURIComponent(NUL)}` });
    expect(filter.status).toBe(400);
    expect(JSON.parse(filter.text).error.fields).toHaveProperty("user");
  });

  /** Issue 20, points 3 and 5. */
  it("names the field: lone surrogates, out-of-range audit dates, invisible characters in names, __proto__", async () => {
    await resetDatabase();
    f = await createAccessFixtures(tb);
    const fieldsOf = (result: { status: number; text: string }) => {
      expect(result.status, result.text).toBe(400);
      return Object.keys(JSON.parse(result.text).error.fields ?? {});
    };
    const cluster = byKey("PATCH /api/v1/clusters/[id]");
    const clusterId = { ...PARAMS(), id: f.clusterA.id };
    expect(fieldsOf(await send(cluster, { params: clusterId, body: { variables: { A: "\ud800" } } }))).toEqual([
      "variables.A",
    ]);
    expect(fieldsOf(await send(cluster, { params: clusterId, body: { variables: { "\ud800": "x" } } }))).toEqual([
      "variables",
    ]);
    expect(
      fieldsOf(
        await send(byKey("POST /api/v1/clusters"), {
          body: { ...(registrationFor(tb, "testbed-3", "odd") as object), variables: { A: "x\udc00" } },
        }),
      ),
    ).toEqual(["variables.A"]);
    expect(fieldsOf(await send(byKey("POST /api/v1/me/tokens"), { body: { name: "ci \ud800" } }))).toEqual(["name"]);
    const rename = byKey("PATCH /api/v1/users/[id]");
    const viewer = { ...PARAMS(), id: f.users.view.id };
    expect(fieldsOf(await send(rename, { params: viewer, body: { name: "\ud800" } }))).toEqual(["name"]);

    const audit = byKey("GET /api/v1/audit");
    for (const search of BAD_DATES) {
      const named = fieldsOf(await send(audit, { search }));
      expect(named.length, search).toBe(1);
      expect(["from", "to"]).toContain(named[0]);
    }
    expect((await send(audit, { search: "?from=2026-01-01&to=2026-01-01T10:00" })).status).toBe(200);

    // Names people read: bidi overrides, zero-width and other invisible characters are refused by name.
    const named: Array<[string, Record<string, string>, (bad: string) => unknown, string]> = [
      [
        "POST /api/v1/users",
        {},
        (bad) => ({ email: "odd@example.com", name: bad, password: "long enough password" }),
        "name",
      ],
      ["PATCH /api/v1/users/[id]", viewer, (bad) => ({ name: bad }), "name"],
      ["POST /api/v1/me/tokens", {}, (bad) => ({ name: bad }), "name"],
      ["POST /api/v1/teams", {}, (bad) => ({ name: bad }), "name"],
      ["POST /api/v1/templates", {}, (bad) => ({ ...demoTemplate("x"), name: bad }), "name"],
      ["POST /api/v1/rollouts", {}, (bad) => ({ ...rolloutBody(), releaseName: bad }), "releaseName"],
      [
        "POST /api/v1/clusters",
        {},
        (bad) => ({ ...(registrationFor(tb, "testbed-3", "x") as object), name: bad }),
        "name",
      ],
      ["PATCH /api/v1/sso/providers/[id]", {}, (bad) => ({ displayName: bad }), "displayName"],
    ];
    for (const [key, params, bodyWith, field] of named)
      for (const bad of ["ad\u202Emin", "ad\u200Bmin", "ad\u2066min", "ad\uFEFFmin", "ad\u200Fmin", "ad\u2060min"]) {
        const result = await send(byKey(key), { params: { ...PARAMS(), ...params }, body: bodyWith(bad) });
        expect(result.status, `${key} ${JSON.stringify(bad)}: ${result.text}`).toBe(400);
        expect(JSON.parse(result.text).error.fields, key).toHaveProperty([field]);
      }
    const stored = await db().user.findUniqueOrThrow({ where: { id: f.users.view.id } });
    expect(stored.name).not.toMatch(/[\p{Cf}\p{Cs}]/u);

    // __proto__, constructor and toString are unknown fields like any other, at the top and nested.
    const teams = byKey("POST /api/v1/teams");
    for (const key of ["__proto__", "constructor", "toString"]) {
      const top = await send(teams, { rawBody: withRawKey({ name: "proto-team" }, key) });
      expect(fieldsOf(top)).toEqual([key]);
      const nested = await send(byKey("POST /api/v1/rollouts/preview"), {
        rawBody: JSON.stringify({ ...rolloutBody(), healthGate: { timeoutSeconds: 120 } }).replace(
          '"timeoutSeconds":120',
          `${JSON.stringify(key)}:1,"timeoutSeconds":120`,
        ),
      });
      expect(fieldsOf(nested)).toEqual([`healthGate.${key}`]);
    }
    expect(await db().team.count({ where: { name: "proto-team" } })).toBe(0);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect((await verifyAuditChain()).problems).toEqual([]);
    expect(errorLogs).toEqual([]);
  });

  it("a NUL byte in a cluster URL is refused before the connection test runs, and the refusal is audited", async () => {
    await resetDatabase();
    f = await createAccessFixtures(tb);
    const before = await db().auditEvent.count();
    const result = await send(byKey("POST /api/v1/clusters/test"), {
      body: {
        ...connectionOf(registrationFor(tb, "testbed-1", "t")),
        server: `${registrationFor(tb, "testbed-1", "t").server}\u0000`,
      },
    });
    expect(result.status).toBe(400);
    expect(JSON.parse(result.text).error.fields).toHaveProperty("server");
    expect(await db().auditEvent.count()).toBe(before + 1);
  });

  it("object detail and reveal on a failing cluster answer 502/504/403 naming the cluster, without its body", async () => {
    await resetDatabase();
    f = await createAccessFixtures(tb);
    const port = (fakeCluster.address() as AddressInfo).port;
    const broken = await registerCluster({
      ...registrationFor(tb, "testbed-1", "broken"),
      server: `https://127.0.0.1:${port}`,
      caData: null,
      insecureSkipTlsVerify: true,
    });
    const badToken = await registerCluster({
      ...registrationFor(tb, "testbed-1", "bad-token"),
      credential: { type: "token", token: "not-a-real-token" },
    });
    const scoped = await registerCluster(registrationFor(tb, "testbed-1-scoped", "scoped"));
    const detail = byKey("GET /api/v1/inventory/object");
    const reveal = byKey("POST /api/v1/inventory/secrets/reveal");
    const ask = async (clusterId: string, namespace = "team-a") => [
      await send(detail, { search: `?cluster=${clusterId}&kind=secrets&namespace=${namespace}&name=x` }),
      await send(reveal, { body: { cluster: clusterId, namespace, name: "x" } }),
    ];
    for (const mode of ["500", "json", "redirect"]) {
      fakeMode = mode;
      for (const answer of await ask(broken.id)) {
        expect(answer.status, `${mode}: ${answer.text}`).toBe(502);
        expect(answer.text).toContain("Cluster broken");
        expect(answer.text).not.toContain("secret");
        expect(answer.text).not.toContain("169.254");
      }
    }
    for (const answer of await ask(badToken.id)) {
      expect(answer.status).toBe(502);
      expect(answer.text).toMatch(/Cluster bad-token failed: The credential was rejected/);
    }
    for (const answer of await ask(scoped.id, "kube-system")) {
      expect(answer.status).toBe(403);
      expect(answer.text).toContain("Cluster scoped refused");
    }
    expect(errorLogs).toEqual([]);
  });
});

describe("fail closed on audit", () => {
  it("a reveal whose audit row cannot be written answers 503 and hands out no value", async () => {
    await resetDatabase();
    f = await createAccessFixtures(tb);
    const reveal = routes.find((route) => route.key === "POST /api/v1/inventory/secrets/reveal")!;
    const asManager = async () => {
      const headers = new Headers({
        origin: "http://localhost:3000",
        host: "localhost:3000",
        "x-archipelago-client-ip": "127.0.0.1",
        "x-archipelago-proto": "http",
        cookie: `archipelago_session=${f.users.manage.session}`,
        "content-type": "application/json",
      });
      const request = new NextRequest(new URL("/api/v1/inventory/secrets/reveal", "http://localhost:3000"), {
        method: "POST",
        headers,
        body: JSON.stringify({ cluster: f.clusterA.id, namespace: "team-a", name: "fail-closed" }),
      });
      const response = await reveal.handler(request, { params: Promise.resolve({}) });
      return { status: response.status, text: await response.text() };
    };
    const { transportFor } = await import("@/lib/server/clusters/connection");
    await (
      await transportFor(f.clusterA.id)
    ).json({
      method: "PATCH",
      path: "/api/v1/namespaces/team-a/secrets/fail-closed",
      query: { fieldManager: "archipelago-tests", force: true },
      body: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "fail-closed", namespace: "team-a" },
        stringData: { k: "fail-closed-value" },
      },
      contentType: "application/apply-patch+yaml",
    });
    expect((await asManager()).text).toContain("fail-closed-value");
    // The database refuses this audit row (as a full disk or a lost connection would).
    await db().$executeRawUnsafe(
      `CREATE FUNCTION refuse_reveal_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no audit'; END $$`,
    );
    await db().$executeRawUnsafe(
      // Only the outcome row: the start is written, the reveal runs, and its answer must still be withheld.
      `CREATE TRIGGER refuse_reveal_audit BEFORE INSERT ON audit_events FOR EACH ROW WHEN (NEW.action = 'secret.reveal' AND NEW.result <> 'started') EXECUTE FUNCTION refuse_reveal_audit()`,
    );
    try {
      const refused = await asManager();
      expect(refused.status).toBe(503);
      expect(refused.text).not.toContain("fail-closed-value");
      expect(JSON.parse(refused.text).error.code).toBe("audit_unavailable");
    } finally {
      await db().$executeRawUnsafe(`DROP TRIGGER refuse_reveal_audit ON audit_events`);
      await db().$executeRawUnsafe(`DROP FUNCTION refuse_reveal_audit()`);
    }
    // That one error log line is the point of this test; the others must not log errors.
    expect(errorLogs.length).toBe(1);
    errorLogs.length = 0;
  });

  it("a mutation whose start cannot be recorded does not run; one whose outcome cannot be recorded is left as an unfinished start", async () => {
    await resetDatabase();
    f = await createAccessFixtures(tb);
    const teams = routes.find((route) => route.key === "POST /api/v1/teams")!;
    const refuse = async (when: string, body: () => Promise<void>) => {
      await db().$executeRawUnsafe(
        `CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no audit'; END $$`,
      );
      await db().$executeRawUnsafe(
        `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION refuse_audit()`,
      );
      try {
        await body();
      } finally {
        await db().$executeRawUnsafe(`DROP TRIGGER refuse_audit ON audit_events`);
        await db().$executeRawUnsafe(`DROP FUNCTION refuse_audit()`);
      }
    };
    await refuse("NEW.result = 'started'", async () => {
      const refused = await send(teams, { body: { name: "never-made" } });
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.text).error.message).toMatch(/nothing was changed/);
    });
    expect(await db().team.count({ where: { name: "never-made" } })).toBe(0);
    expect(await db().auditEvent.count({ where: { action: "team.create" } })).toBe(0);
    expect(errorLogs.length).toBe(1);
    errorLogs.length = 0;

    const { unfinishedStarts } = await import("@/lib/server/audit/unfinished");
    expect((await unfinishedStarts({ olderThanMs: 0 })).total).toBe(0);
    await refuse("NEW.result <> 'started' AND NEW.action = 'team.create'", async () => {
      const withheld = await send(teams, { body: { name: "made-unrecorded" } });
      expect(withheld.status).toBe(503);
      expect(JSON.parse(withheld.text).error.message).toMatch(/start is recorded as request/);
    });
    // The team was made (a change cannot always be taken back), and the trail says it was attempted, by whom.
    expect(await db().team.count({ where: { name: "made-unrecorded" } })).toBe(1);
    const [start] = await db().auditEvent.findMany({ where: { action: "team.create" } });
    expect(start).toMatchObject({
      result: "started",
      actorEmail: "admin@example.com",
      details: { path: "/api/v1/teams" },
    });
    const unfinished = await unfinishedStarts({ olderThanMs: 0 });
    expect(unfinished.total).toBe(1);
    expect(unfinished.newest[0]).toMatchObject({ action: "team.create", requestId: start!.requestId });
    // Recent starts are not called unfinished (their request may still be running).
    expect((await unfinishedStarts()).total).toBe(0);
    expect(errorLogs.length).toBe(1);
    errorLogs.length = 0;
    // A later mutation that completes is not counted.
    expect((await send(teams, { body: { name: "made-recorded" } })).status).toBe(201);
    expect((await unfinishedStarts({ olderThanMs: 0 })).total).toBe(1);
    // The Audit page lists outcomes; starts only when asked for.
    const auditList = routes.find((route) => route.key === "GET /api/v1/audit")!;
    const outcomes = JSON.parse((await send(auditList, { search: "?action=team.create" })).text);
    expect(outcomes.events.map((event: { result: string }) => event.result)).toEqual(["success"]);
    const starts = JSON.parse((await send(auditList, { search: "?action=team.create&result=started" })).text);
    expect(starts.events).toHaveLength(2);
    // Ten minutes have not passed, so the page does not call the start unfinished yet.
    expect(outcomes.unfinished).toEqual({ total: 0, newest: [] });
  });

  it("a mutation is refused before it runs when the audit chain key cannot be unsealed", async () => {
    await resetDatabase();
    f = await createAccessFixtures(tb);
    const teams = routes.find((route) => route.key === "POST /api/v1/teams")!;
    expect((await send(teams, { body: { name: "before-breakage" } })).status).toBe(201);
    // The sealed key no longer opens (as with a lost or wrong master key).
    await db().$executeRawUnsafe(`UPDATE sealed_keys SET envelope = jsonb_set(envelope, '{ct}', '"AAAA"')`);
    forgetAuditChainKey();
    const refused = await send(teams, { body: { name: "after-breakage" } });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.text).error.code).toBe("audit_unavailable");
    expect(await db().team.count({ where: { name: "after-breakage" } })).toBe(0);
    expect(errorLogs.length).toBeGreaterThan(0);
    errorLogs.length = 0;
    await resetDatabase();
  });
});
