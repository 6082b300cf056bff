import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import type { Testbed } from "@/testbed/harness";
import { db } from "@/lib/server/db/client";
import { newWebhookSecret } from "@/lib/server/secrets/webhook-secret";
import { createAccessFixtures, PERSONAS, type AccessFixtures, type Persona } from "@/lib/testing/access-fixtures";
import { resetDatabase } from "@/lib/testing/reset-database";
import { kubeconfigText, registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { transportFor } from "@/lib/server/clusters/connection";
import { demoTemplate } from "@/lib/testing/rollout-fixtures";
import { registerCluster } from "@/lib/server/clusters/register";
import type { CreateClusterBody } from "@/lib/schemas/clusters";
import type { CreateTemplateBody } from "@/lib/schemas/templates";

/**
 * Every API route handler, found by walking app/api (so a new route cannot be forgotten),
 * called as each persona through the real handler, real database and real clusters.
 * A route or method without a row here fails the test; so does a server action.
 */

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Expected = Record<Persona, number>;
interface Row {
  params?: (f: AccessFixtures, persona: Persona) => Record<string, string>;
  query?: (f: AccessFixtures) => string;
  body?: (f: AccessFixtures, persona: Persona, tb: Testbed) => unknown;
  /** Runs before each persona's request: what each must find, as if it asked alone. */
  before?: (f: AccessFixtures) => Promise<void>;
  expected: Expected;
}

const MATRIX_POLICY_ID = "00000000-0000-4000-8000-00000000a001";
const all = (status: number): Expected => Object.fromEntries(PERSONAS.map((p) => [p, status])) as Expected;
const signedIn = (status: number): Expected => ({ ...all(status), anonymous: 401 });
const adminOnly = (status: number): Expected => ({ ...all(403), anonymous: 401, admin: status });
const clusterAReaders = (status: number): Expected => ({
  anonymous: 401,
  none: 404,
  other: 404,
  view: status,
  deploy: status,
  manage: status,
  admin: status,
});
const alphaReaders = (status: number): Expected => ({
  anonymous: 401,
  none: 404,
  other: 404,
  view: status,
  deploy: status,
  manage: 404,
  admin: status,
});
const alphaMaintainers = (status: number): Expected => ({
  anonymous: 401,
  none: 404,
  other: 404,
  view: 403,
  deploy: status,
  manage: 404,
  admin: status,
});
const alphaAdmins = (status: number): Expected => ({
  anonymous: 401,
  none: 404,
  other: 404,
  view: 403,
  deploy: 403,
  manage: 404,
  admin: status,
});

const clusterA = (f: AccessFixtures) => ({ id: f.clusterA.id });
/** Template authors need deploy somewhere; "other" only views. */
const authors = (status: number): Expected => ({
  anonymous: 401,
  none: 403,
  other: 403,
  view: 403,
  deploy: status,
  manage: status,
  admin: status,
});
/** Readers of the global fixture template: everyone in a team. */
const templateReaders = (status: number): Expected => ({ ...signedIn(status), none: 404 });
/** Rollouts to cluster A/team-a: whoever may not deploy there gets a 400 naming the targets (no team at all: 403). */
const deployers = (status: number): Expected => ({
  anonymous: 401,
  none: 403,
  other: 400,
  view: 400,
  deploy: status,
  manage: status,
  admin: status,
});
const rolloutBody = (f: AccessFixtures, release: string, persona: Persona) => ({
  teamId: f.teamOf[persona],
  releaseName: release,
  templateId: f.template.id,
  revision: 1,
  params: { image: "registry.local/demo:1.0" },
  targets: { clusterIds: [f.clusterA.id] },
});
const team = (f: AccessFixtures) => ({ id: f.teamAlpha });
/** Unknown fields are refused (issue 12): send exactly what each endpoint takes. */
const connectionOf = ({ server, caData, insecureSkipTlsVerify, tlsServerName, credential }: CreateClusterBody) => ({
  server,
  caData,
  insecureSkipTlsVerify,
  tlsServerName,
  credential,
});
const revisionOf = ({ name: _name, description: _description, ...revision }: CreateTemplateBody) => revision;

/** A fresh subscription of team alpha before each persona's request (one persona's delete must not decide the next one's answer). */
let matrixSubscription = "";
async function alphaSubscription(f: AccessFixtures): Promise<void> {
  const id = randomUUID();
  await db().notificationSubscription.create({
    data: {
      id,
      teamId: f.teamAlpha,
      name: "matrix hook",
      url: "http://127.0.0.1:9/hook",
      eventTypes: ["rollout.started"],
      secretEnvelope: newWebhookSecret(id).envelope as object,
      createdByEmail: "fixture@example.com",
    },
  });
  matrixSubscription = id;
}

/** A fresh view of the admin's, shared with team alpha, before each persona's request. */
let matrixView = "";
async function alphaSharedView(f: AccessFixtures): Promise<void> {
  const row = await db().inventoryView.create({
    data: { ownerId: f.users.admin.id, teamId: f.teamAlpha, name: `matrix view ${randomUUID()}`, filters: {} },
  });
  matrixView = row.id;
}

const MATRIX: Record<string, Row> = {
  "GET /api/v1/health": { expected: all(200) },
  "GET /api/v1/me": { expected: signedIn(200) },
  "GET /api/v1/me/access": { expected: signedIn(200) },
  "POST /api/v1/auth/sign-in": {
    body: (_f, p) => ({ email: `${p}@example.com`, password: "wrong password" }),
    expected: all(401),
  },
  "POST /api/v1/auth/sign-out": { expected: all(200) },
  // Browser navigations: both answer with a redirect (to the provider, or back to sign-in with the reason).
  "GET /api/v1/auth/sso/[provider]/start": { params: () => ({ provider: "not-configured" }), expected: all(303) },
  "GET /api/v1/auth/sso/callback": { query: () => "state=forged&code=x", expected: all(303) },
  "GET /api/v1/auth/settings": { expected: adminOnly(200) },
  "PUT /api/v1/auth/settings": {
    body: () => ({ passwordSignIn: true, breakGlassEmails: [] }),
    expected: adminOnly(200),
  },
  "GET /api/v1/sso/providers": { expected: adminOnly(200) },
  "POST /api/v1/sso/providers": {
    body: (_f, p) => ({
      slug: `sso-${p}`,
      displayName: "Corp",
      issuer: "https://login.corp.example",
      clientId: "archipelago",
      clientSecret: "matrix-secret-value",
    }),
    expected: adminOnly(201),
  },
  "GET /api/v1/sso/providers/[id]": { params: (f) => ({ id: f.ssoProvider }), expected: adminOnly(200) },
  "PATCH /api/v1/sso/providers/[id]": {
    params: (f) => ({ id: f.ssoProvider }),
    body: () => ({ displayName: "Renamed" }),
    expected: adminOnly(200),
  },
  "DELETE /api/v1/sso/providers/[id]": { params: (f) => ({ id: f.ssoProvider }), expected: adminOnly(204) },
  "POST /api/v1/sso/providers/test": {
    body: () => ({ issuer: "http://127.0.0.1:9", clientId: "archipelago" }),
    expected: adminOnly(200),
  },
  "GET /api/v1/setup": { expected: all(200) },
  "POST /api/v1/setup": {
    body: () => ({ email: "late@example.com", name: "Late", password: "long enough password" }),
    expected: all(409),
  },

  "GET /api/v1/clusters": { expected: signedIn(200) },
  "POST /api/v1/clusters": {
    body: (_f, p, tb) => registrationFor(tb, "testbed-3", `new-${p}`),
    expected: adminOnly(201),
  },
  "POST /api/v1/clusters/test": {
    body: (_f, _p, tb) => connectionOf(registrationFor(tb, "testbed-3", "t")),
    expected: adminOnly(200),
  },
  "POST /api/v1/clusters/import/preview": {
    body: (_f, _p, tb) => ({ kubeconfig: kubeconfigText(tb) }),
    expected: adminOnly(200),
  },
  "POST /api/v1/clusters/import": {
    body: (_f, p, tb) => ({
      kubeconfig: kubeconfigText(tb),
      contexts: [{ context: "testbed-3", name: `imported-${p}` }],
    }),
    expected: adminOnly(201),
  },
  "GET /api/v1/clusters/[id]": { params: clusterA, expected: clusterAReaders(200) },
  "PATCH /api/v1/clusters/[id]": {
    params: clusterA,
    body: () => ({ description: "changed" }),
    expected: adminOnly(200),
  },
  // Cluster A is a target of the fixtures' running rollouts: even an admin's delete is refused (409).
  "DELETE /api/v1/clusters/[id]": { params: clusterA, expected: adminOnly(409) },
  "PUT /api/v1/clusters/[id]/credential": {
    params: clusterA,
    body: () => ({ credential: { type: "token", token: "replacement" } }),
    expected: adminOnly(200),
  },
  "POST /api/v1/clusters/[id]/test": { params: clusterA, expected: clusterAReaders(200) },
  "GET /api/v1/clusters/[id]/health": { params: clusterA, expected: clusterAReaders(200) },

  "GET /api/v1/users": { expected: adminOnly(200) },
  "POST /api/v1/users": {
    body: (_f, p) => ({ email: `created-${p}@example.com`, name: "Created", password: "long enough password" }),
    expected: adminOnly(201),
  },
  "GET /api/v1/users/[id]": { params: (f) => ({ id: f.users.view.id }), expected: adminOnly(200) },
  "PATCH /api/v1/users/[id]": {
    params: (f) => ({ id: f.users.view.id }),
    body: () => ({ name: "Renamed" }),
    expected: adminOnly(200),
  },
  "PUT /api/v1/users/[id]/password": {
    params: (f) => ({ id: f.users.view.id }),
    body: () => ({ password: "another long password" }),
    expected: adminOnly(200),
  },

  "GET /api/v1/teams": { expected: signedIn(200) },
  "POST /api/v1/teams": { body: (_f, p) => ({ name: `team-${p}` }), expected: { ...signedIn(403), admin: 201 } },
  "GET /api/v1/teams/[id]": { params: team, expected: alphaReaders(200) },
  "PATCH /api/v1/teams/[id]": { params: team, body: () => ({ description: "changed" }), expected: alphaAdmins(200) },
  "DELETE /api/v1/teams/[id]": { params: team, expected: alphaAdmins(204) },
  "GET /api/v1/teams/[id]/access": { params: team, expected: alphaReaders(200) },
  "POST /api/v1/teams/[id]/members": {
    params: team,
    body: (f, p) => ({ email: f.bystanders[p].newUserEmail }),
    expected: alphaMaintainers(201),
  },
  "PATCH /api/v1/teams/[id]/members/[userId]": {
    params: (f, p) => ({ id: f.teamAlpha, userId: f.bystanders[p].userId }),
    body: () => ({ role: "maintainer" }),
    expected: alphaMaintainers(200),
  },
  "DELETE /api/v1/teams/[id]/members/[userId]": {
    params: (f, p) => ({ id: f.teamAlpha, userId: f.bystanders[p].userId }),
    expected: alphaMaintainers(204),
  },
  "POST /api/v1/teams/[id]/grants": {
    params: team,
    body: () => ({ clusterSelector: "team=alpha", namespaces: ["team-a"], level: "view" }),
    expected: alphaAdmins(201),
  },
  "DELETE /api/v1/teams/[id]/grants/[grantId]": {
    params: (f, p) => ({ id: f.teamAlpha, grantId: f.bystanders[p].grantId }),
    expected: alphaAdmins(204),
  },
  "POST /api/v1/grants/preview": { body: () => ({ clusterSelector: "team=alpha" }), expected: adminOnly(200) },

  "GET /api/v1/me/tokens": { expected: signedIn(200) },
  "POST /api/v1/me/tokens": { body: () => ({ name: "ci" }), expected: signedIn(201) },
  "DELETE /api/v1/me/tokens/[id]": {
    params: (f, p) => ({ id: p === "anonymous" ? f.users.admin.tokenId : f.users[p].tokenId }),
    expected: signedIn(200),
  },
  "GET /api/v1/audit": { expected: adminOnly(200) },

  "GET /api/v1/inventory": { query: () => "view=configmaps", expected: signedIn(200) },
  // Everyone signed in reads the timeline; each answer holds only what their grants cover (changes.int.test.ts).
  // Saved views are personal: anyone signed in keeps their own.
  "GET /api/v1/inventory/views": { expected: signedIn(200) },
  "POST /api/v1/inventory/views": {
    body: (_f, p) => ({ name: `view ${p} ${randomUUID()}`, filters: { view: "workloads" } }),
    expected: signedIn(201),
  },
  // The admin's view shared with alpha: alpha's members read it but only its owner deletes it
  // (403); outside alpha it is not there at all (404), admins included were they not the owner.
  "DELETE /api/v1/inventory/views/[id]": {
    before: alphaSharedView,
    params: () => ({ id: matrixView }),
    expected: { anonymous: 401, none: 404, other: 404, view: 403, deploy: 403, manage: 404, admin: 204 },
  },
  "GET /api/v1/inventory/changes": { query: () => "kind=configmaps", expected: signedIn(200) },
  "GET /api/v1/inventory/object": {
    query: (f) => `cluster=${f.clusterA.id}&kind=configmaps&namespace=team-a&name=matrix-probe`,
    expected: clusterAReaders(200),
  },
  "GET /api/v1/inventory/compare": {
    query: () => "kind=configmaps&namespace=team-a&name=matrix-probe",
    expected: signedIn(200),
  },
  "GET /api/v1/inventory/namespaces": { query: (f) => `cluster=${f.clusterA.id}`, expected: clusterAReaders(200) },
  "POST /api/v1/inventory/secrets/reveal": {
    body: (f) => ({ cluster: f.clusterA.id, namespace: "team-a", name: "matrix-secret" }),
    expected: { anonymous: 401, none: 404, other: 404, view: 403, deploy: 403, manage: 200, admin: 200 },
  },

  "GET /api/v1/templates": { expected: signedIn(200) },
  "POST /api/v1/templates": {
    body: (f, p) => ({ ...demoTemplate(`tpl-${p}`), teamId: f.teamOf[p] }),
    expected: authors(201),
  },
  "POST /api/v1/templates/lint": {
    body: () => revisionOf(demoTemplate("lint")),
    expected: signedIn(200),
  },
  "GET /api/v1/templates/[id]": { params: (f) => ({ id: f.template.id }), expected: templateReaders(200) },
  "POST /api/v1/templates/[id]/revisions": {
    params: (f) => ({ id: f.template.id }),
    body: () => revisionOf(demoTemplate("x", "fixture")),
    // The fixture template is global: only admins change it.
    expected: { ...templateReaders(403), admin: 201 },
  },
  "GET /api/v1/templates/[id]/revisions/[number]": {
    params: (f) => ({ id: f.template.id, number: "1" }),
    expected: templateReaders(200),
  },
  "GET /api/v1/templates/[id]/diff": {
    params: (f) => ({ id: f.template.id }),
    query: () => "from=1&to=1",
    expected: templateReaders(200),
  },

  "GET /api/v1/rollouts": { expected: signedIn(200) },
  "GET /api/v1/rollouts/targets": { expected: signedIn(200) },
  "POST /api/v1/rollouts/preview": { body: (f, p) => rolloutBody(f, `preview-${p}`, p), expected: deployers(200) },
  "POST /api/v1/rollouts": { body: (f, p) => rolloutBody(f, `start-${p}`, p), expected: deployers(201) },
  // A rollout over clusters A and B: whoever sees either part reads that part.
  "GET /api/v1/rollouts/[id]": {
    params: (f) => ({ id: f.spanningRollout }),
    expected: { ...clusterAReaders(200), other: 200 },
  },
  "POST /api/v1/rollouts/[id]/[action]": {
    params: (f, p) => ({ id: f.bystanders[p].rolloutId, action: "pause" }),
    expected: { ...clusterAReaders(200), view: 403 },
  },
  // No policy covers the fixtures' rollouts: whoever sees one reads an empty approval, and deciding is a 409.
  "GET /api/v1/rollouts/[id]/approval": {
    params: (f) => ({ id: f.spanningRollout }),
    expected: { ...clusterAReaders(200), other: 200 },
  },
  "POST /api/v1/rollouts/[id]/approval": {
    params: (f) => ({ id: f.spanningRollout }),
    body: () => ({ decision: "approve", comment: "looks right" }),
    expected: { ...clusterAReaders(409), other: 409 },
  },
  // A fresh preview drops approvals: steering; the rollout is not waiting, so 409 for those who may.
  "POST /api/v1/rollouts/[id]/approval/refresh": {
    params: (f, p) => ({ id: f.bystanders[p].rolloutId }),
    expected: { ...clusterAReaders(409), view: 403 },
  },
  "GET /api/v1/approval-policies": { expected: adminOnly(200) },
  "POST /api/v1/approval-policies": {
    body: (_f, p) => ({ name: `matrix-${p}`, clusterSelector: "matrix-policy=none", approvalsRequired: 1 }),
    expected: adminOnly(201),
  },
  "DELETE /api/v1/approval-policies/[id]": {
    params: () => ({ id: MATRIX_POLICY_ID }),
    before: async () => {
      await db().approvalPolicy.upsert({
        where: { id: MATRIX_POLICY_ID },
        create: {
          id: MATRIX_POLICY_ID,
          name: "matrix-delete",
          clusterSelector: "matrix-policy=none",
          approvalsRequired: 1,
          createdByEmail: "matrix@example.com",
        },
        update: {},
      });
    },
    expected: adminOnly(200),
  },
  "GET /api/v1/guardrail-rules": { expected: adminOnly(200) },
  "POST /api/v1/guardrail-rules": {
    body: (_f, p) => ({
      name: `matrix-${p}`,
      expression: "true",
      clusterSelector: "matrix-policy=none",
      action: "warn",
      message: "never fires",
    }),
    expected: adminOnly(201),
  },
  "DELETE /api/v1/guardrail-rules/[id]": {
    params: () => ({ id: MATRIX_POLICY_ID }),
    before: async () => {
      await db().guardrailRule.upsert({
        where: { id: MATRIX_POLICY_ID },
        create: {
          id: MATRIX_POLICY_ID,
          name: "matrix-delete",
          expression: "true",
          clusterSelector: "matrix-policy=none",
          kinds: [],
          action: "warn",
          message: "never fires",
          createdByEmail: "matrix@example.com",
        },
        update: {},
      });
    },
    expected: adminOnly(200),
  },
  "GET /api/v1/change-windows": { expected: adminOnly(200) },
  "POST /api/v1/change-windows": {
    // A window for a label no cluster carries: it holds back no other row's rollout.
    body: (_f, p) => ({
      kind: "recurring",
      name: `matrix-${p}`,
      clusterSelector: "matrix-window=none",
      cron: "0 9 * * 1-5",
      timeZone: "Europe/Berlin",
      durationMinutes: 60,
    }),
    expected: adminOnly(201),
  },
  "DELETE /api/v1/change-windows/[id]": {
    params: () => ({ id: MATRIX_POLICY_ID }),
    before: async () => {
      await db().changeWindow.upsert({
        where: { id: MATRIX_POLICY_ID },
        create: {
          id: MATRIX_POLICY_ID,
          name: "matrix-delete",
          clusterSelector: "matrix-window=none",
          startsAt: new Date("2030-01-01T00:00:00Z"),
          endsAt: new Date("2030-01-02T00:00:00Z"),
          createdByEmail: "matrix@example.com",
        },
        update: {},
      });
    },
    expected: adminOnly(200),
  },
  "GET /api/v1/freezes": { expected: adminOnly(200) },
  "POST /api/v1/freezes": {
    body: (_f, p) => ({
      name: `matrix-${p}`,
      clusterSelector: "matrix-freeze=none",
      startsAt: "2030-01-01T00:00:00Z",
      endsAt: "2030-01-02T00:00:00Z",
      reason: "matrix",
    }),
    expected: adminOnly(201),
  },
  "DELETE /api/v1/freezes/[id]": {
    params: () => ({ id: MATRIX_POLICY_ID }),
    before: async () => {
      await db().changeFreeze.upsert({
        where: { id: MATRIX_POLICY_ID },
        create: {
          id: MATRIX_POLICY_ID,
          name: "matrix-delete",
          clusterSelector: "matrix-freeze=none",
          startsAt: new Date("2030-01-01T00:00:00Z"),
          endsAt: new Date("2030-01-02T00:00:00Z"),
          reason: "matrix",
          createdByEmail: "matrix@example.com",
        },
        update: {},
      });
    },
    expected: adminOnly(200),
  },
  "GET /api/v1/overview": { expected: signedIn(200) },
  "GET /api/v1/releases": { expected: signedIn(200) },
  "GET /api/v1/releases/[id]": { params: (f) => ({ id: f.release }), expected: clusterAReaders(200) },
  "PATCH /api/v1/releases/[id]": {
    params: (f) => ({ id: f.release }),
    body: () => ({ autoHeal: true }),
    expected: { ...clusterAReaders(200), view: 403 },
  },
  // A drift check calls the clusters and writes drift state: steering, not reading.
  "POST /api/v1/releases/[id]/drift": {
    params: (f) => ({ id: f.release }),
    body: () => ({ heal: false }),
    expected: { ...clusterAReaders(200), view: 403 },
  },
  // Rolling back adds a rollout to the release: its team (alpha-deploy) and admins only.
  "POST /api/v1/releases/[id]/rollback": {
    params: (f) => ({ id: f.release }),
    body: () => ({ revision: 1 }),
    // One writer per release: the rollback a persona before started would hold the release
    // (409). Each persona is asked as if alone, so that one is let go of first.
    before: async (f) => {
      await db().releaseWriter.deleteMany({ where: { releaseId: f.release } });
    },
    expected: { ...clusterAReaders(201), view: 403, manage: 403 },
  },

  "GET /api/v1/notifications/subscriptions": { expected: signedIn(200) },
  // A team's subscription takes its maintainer or an admin; a team the caller cannot see is a
  // 400 on teamId, the same as a team that does not exist.
  "POST /api/v1/notifications/subscriptions": {
    body: (f) => ({
      teamId: f.teamAlpha,
      name: "hook",
      url: "http://127.0.0.1:9/hook",
      eventTypes: ["rollout.started"],
    }),
    expected: { anonymous: 401, none: 400, other: 400, view: 403, deploy: 201, manage: 400, admin: 201 },
  },
  "DELETE /api/v1/notifications/subscriptions/[id]": {
    before: alphaSubscription,
    params: () => ({ id: matrixSubscription }),
    expected: alphaMaintainers(204),
  },
  // Sends to a closed loopback port: the answer says how the receiver answered (refused).
  "POST /api/v1/notifications/subscriptions/[id]/test": {
    before: alphaSubscription,
    params: () => ({ id: matrixSubscription }),
    expected: alphaMaintainers(200),
  },
  "GET /api/v1/notifications/subscriptions/[id]/deliveries": {
    before: alphaSubscription,
    params: () => ({ id: matrixSubscription }),
    expected: alphaReaders(200),
  },

  "GET /api/[...path]": { params: () => ({ path: "nope" }), expected: all(404) },
  "POST /api/[...path]": { params: () => ({ path: "nope" }), expected: all(404) },
  "PUT /api/[...path]": { params: () => ({ path: "nope" }), expected: all(404) },
  "PATCH /api/[...path]": { params: () => ({ path: "nope" }), expected: all(404) },
  "DELETE /api/[...path]": { params: () => ({ path: "nope" }), expected: all(404) },
};

const API_ROOT = path.resolve("app", "api");
const METHODS: Method[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? routeFiles(full) : entry === "route.ts" ? [full] : [];
  });
}

function filesContaining(dir: string, needle: RegExp): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (entry === "node_modules" || entry.startsWith(".")) return [];
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return filesContaining(full, needle);
    return /\.(ts|tsx)$/.test(entry) && needle.test(readFileSync(full, "utf8")) ? [full] : [];
  });
}

interface Discovered {
  key: string;
  /** What the route's door checks before anything runs (`route({ access })`), read from its source. */
  access: string;
  template: string;
  method: Method;
  handler: (request: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
}

async function discoverRoutes(): Promise<Discovered[]> {
  const found: Discovered[] = [];
  for (const file of routeFiles(API_ROOT)) {
    const template = `/api/${path.relative(API_ROOT, path.dirname(file)).split(path.sep).join("/")}`;
    const exports = (await import(file)) as Record<string, unknown>;
    const source = readFileSync(file, "utf8");
    for (const method of METHODS) {
      if (typeof exports[method] === "function")
        found.push({
          key: `${method} ${template}`,
          access:
            new RegExp(`export const ${method} = route\\(\\s*\\{[^}]*access: "(\\w+)"`).exec(source)?.[1] ??
            "signed-in",
          template,
          method,
          handler: exports[method] as Discovered["handler"],
        });
    }
  }
  return found;
}

function urlFor(template: string, params: Record<string, string>): string {
  return template.replace(
    /\[\.\.\.(\w+)\]|\[(\w+)\]/g,
    (_match, rest: string | undefined, name: string | undefined) => params[(rest ?? name)!] ?? "missing",
  );
}

let tb: Testbed;
let routes: Discovered[];

beforeAll(async () => {
  tb = await testbed();
  routes = await discoverRoutes();
  // Objects the inventory rows read, created with the testbed's admin credential.
  const admin = await transportFor((await registerCluster(registrationFor(tb, "testbed-1", "matrix-setup"))).id);
  const apply = (path: string, body: object) =>
    admin.json({
      method: "PATCH",
      path,
      query: { fieldManager: "archipelago-tests", force: true },
      body,
      contentType: "application/apply-patch+yaml",
    });
  await apply("/api/v1/namespaces/team-a/configmaps/matrix-probe", {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "matrix-probe", namespace: "team-a" },
    data: { a: "1" },
  });
  await apply("/api/v1/namespaces/team-a/secrets/matrix-secret", {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "matrix-secret", namespace: "team-a" },
    stringData: { k: "v" },
  });
});

describe("authorization matrix", () => {
  it("covers every route and method in app/api, and nothing that does not exist", () => {
    const discovered = routes.map((route) => route.key).sort();
    expect(discovered.filter((key) => !(key in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((key) => !discovered.includes(key))).toEqual([]);
  });

  it("has no server actions (all mutations go through the audited /api/v1 door)", () => {
    const roots = ["app", "components", "lib"].map((dir) => path.resolve(dir));
    expect(roots.flatMap((root) => filesContaining(root, /^\s*["']use server["']/m))).toEqual([]);
  });

  for (const [key, row] of Object.entries(MATRIX)) {
    it(key, async () => {
      const route = routes.find((candidate) => candidate.key === key);
      expect(route, `${key} exists`).toBeDefined();
      await resetDatabase();
      const fixtures = await createAccessFixtures(tb);
      const actual = {} as Expected;
      for (const persona of PERSONAS) {
        await row.before?.(fixtures);
        const params = row.params?.(fixtures, persona) ?? {};
        const body = row.body?.(fixtures, persona, tb);
        const headers = new Headers({
          origin: "http://localhost:3000",
          host: "localhost:3000",
          "x-archipelago-client-ip": "127.0.0.1",
          "x-archipelago-proto": "http",
        });
        if (persona !== "anonymous") headers.set("cookie", `archipelago_session=${fixtures.users[persona].session}`);
        if (body !== undefined) headers.set("content-type", "application/json");
        const outcomesBefore = await db().auditEvent.count({ where: { result: { not: "started" } } });
        const startsBefore = await db().auditEvent.count({ where: { result: "started" } });
        const search = row.query ? `?${row.query(fixtures)}` : "";
        const request = new NextRequest(new URL(urlFor(route!.template, params) + search, "http://localhost:3000"), {
          method: route!.method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const response = await route!.handler(request, { params: Promise.resolve(params) });
        actual[persona] = response.status;
        // Every mutation leaves exactly one outcome row, whoever asked and whatever the answer, and
        // one start row when it got as far as running (authenticated and its input valid).
        if (route!.method !== "GET" && !route!.template.includes("[...path]")) {
          const outcomes = await db().auditEvent.findMany({
            where: { result: { not: "started" } },
            orderBy: { id: "desc" },
            take: 1,
          });
          expect(
            await db().auditEvent.count({ where: { result: { not: "started" } } }),
            `${key} as ${persona} is audited`,
          ).toBe(outcomesBefore + 1);
          // The outcome row is this request's, whatever the answer.
          expect(outcomes[0]!.requestId, `${key} as ${persona}: the outcome is this request's`).toBe(
            response.headers.get("x-request-id"),
          );
          const starts = await db().auditEvent.findMany({ where: { result: "started" }, orderBy: { id: "desc" } });
          const ran = starts.length - startsBefore;
          // Whether a start row must exist is decided from the answer, not from whether one is there:
          // a mutation that succeeded ran, so it started; one refused at the door (no or a bad
          // session) never ran, so it did not.
          // A mutation that succeeded ran, so it started; one its door refused (no session on a
          // route that needs one, a non-admin on an admin route) never ran, so it did not; any
          // other refusal came from the handler after its start (the matrix sends valid input).
          const refusedAtDoor =
            (response.status === 401 && route!.access !== "public") ||
            (response.status === 403 && route!.access === "admin" && persona !== "admin");
          const mustHaveStarted = response.status < 300 ? 1 : refusedAtDoor ? 0 : 1;
          expect(ran, `${key} as ${persona} (${response.status}): start rows`).toBe(mustHaveStarted);
          expect(ran, `${key} as ${persona}: at most one start row`).toBeLessThanOrEqual(1);
          expect(
            ran === 0 || starts[0]!.requestId === outcomes[0]!.requestId,
            `${key} as ${persona}: the start belongs to the outcome`,
          ).toBe(true);
        }
      }
      expect(actual).toEqual(row.expected);
    });
  }
});
