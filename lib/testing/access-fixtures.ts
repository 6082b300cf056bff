import { createHash } from "node:crypto";
import type { Testbed } from "@/testbed/harness";
import { createApiToken } from "@/lib/server/auth/api-tokens";
import { hashPassword } from "@/lib/server/auth/password";
import { createSession } from "@/lib/server/auth/sessions";
import { registerCluster } from "@/lib/server/clusters/register";
import { sealClientSecret } from "@/lib/server/sso/secret-vault";
import { db } from "@/lib/server/db/client";
import { demoTemplate } from "./rollout-fixtures";
import { registrationFor } from "./testbed-clusters";

/**
 * The people of the authorization tests, each with a real session:
 * - none:   signed in, no team
 * - other:  team "beta", view on cluster B only
 * - view:   team "alpha" (member), view on cluster A namespace team-a
 * - deploy: team "alpha-deploy" deploy on A, and maintainer of "alpha"
 * - manage: team "alpha-manage", manage on A incl. cluster-scoped, secrets reveal
 * - admin
 */
export const PERSONAS = ["anonymous", "none", "other", "view", "deploy", "manage", "admin"] as const;
export type Persona = (typeof PERSONAS)[number];

export interface AccessFixtures {
  clusterA: { id: string; name: string };
  clusterB: { id: string; name: string };
  teamAlpha: string;
  /** The team each persona acts for (templates and rollouts they create); null: none (admin: global). */
  teamOf: Record<Persona, string | null>;
  template: { id: string; revisionId: string };
  release: string;
  /** A running rollout over cluster A (team-a) and cluster B (default): each persona sees its own part. */
  spanningRollout: string;
  users: Record<
    Exclude<Persona, "anonymous">,
    { id: string; email: string; session: string; token: string; tokenId: string }
  >;
  /** Per persona: a member of alpha it may try to remove, a fresh user it may try to add, a grant it may try to delete. */
  bystanders: Record<
    Persona,
    { userId: string; email: string; newUserEmail: string; grantId: string; rolloutId: string }
  >;
  /** A configured single sign-on provider (nobody has signed in with it). */
  ssoProvider: string;
}

let passwordHash: string | undefined;

export async function createAccessFixtures(tb: Testbed): Promise<AccessFixtures> {
  passwordHash ??= await hashPassword("fixture password 123");
  const user = async (email: string, isAdmin = false) =>
    db().user.create({
      data: { email, name: email.split("@")[0]!, isAdmin, passwordHash: passwordHash! },
      select: { id: true, email: true },
    });

  const clusterA = await registerCluster(registrationFor(tb, "testbed-1", "cluster-a", { labels: { team: "alpha" } }));
  const clusterB = await registerCluster(registrationFor(tb, "testbed-2", "cluster-b", { labels: { team: "beta" } }));

  const alpha = await db().team.create({ data: { name: "alpha" } });
  const alphaDeploy = await db().team.create({ data: { name: "alpha-deploy" } });
  const alphaManage = await db().team.create({ data: { name: "alpha-manage" } });
  const beta = await db().team.create({ data: { name: "beta" } });
  await db().grant.create({
    data: {
      teamId: alpha.id,
      clusterSelector: "team=alpha",
      namespaces: ["team-a"],
      level: "view",
      secrets: "metadata",
    },
  });
  await db().grant.create({
    data: {
      teamId: alphaDeploy.id,
      clusterIds: [clusterA.id],
      namespaces: ["team-*"],
      level: "deploy",
      secrets: "metadata",
    },
  });
  await db().grant.create({
    data: {
      teamId: alphaManage.id,
      clusterIds: [clusterA.id],
      namespaces: ["*"],
      clusterScoped: true,
      level: "manage",
      secrets: "reveal",
    },
  });
  await db().grant.create({ data: { teamId: beta.id, clusterIds: [clusterB.id], namespaces: ["*"], level: "view" } });

  const users = {} as AccessFixtures["users"];
  const memberships: Record<string, Array<[string, "member" | "maintainer"]>> = {
    none: [],
    other: [[beta.id, "member"]],
    view: [[alpha.id, "member"]],
    deploy: [
      [alphaDeploy.id, "member"],
      [alpha.id, "maintainer"],
    ],
    manage: [[alphaManage.id, "member"]],
    admin: [],
  };
  for (const persona of ["none", "other", "view", "deploy", "manage", "admin"] as const) {
    const created = await user(`${persona}@example.com`, persona === "admin");
    for (const [teamId, role] of memberships[persona]!)
      await db().membership.create({ data: { teamId, userId: created.id, role } });
    const session = await createSession(created.id, { clientIp: "127.0.0.1", userAgent: "fixtures" });
    const token = await createApiToken(created.id, { name: "fixture", expiresAt: null });
    users[persona] = { ...created, session: session.token, token: token.token, tokenId: token.view.id };
  }

  // A template, a release on cluster A, and a running rollout per persona to steer.
  const demo = demoTemplate("fixture-template", "fixture");
  const template = await db().template.create({
    data: {
      name: demo.name,
      revisions: {
        create: {
          number: 1,
          schema: demo.schema as object,
          body: demo.body,
          overrides: [],
          authorEmail: "admin@example.com",
        },
      },
    },
    include: { revisions: true },
  });
  const revisionId = template.revisions[0]!.id;
  // A global template (admin-made), used by a release of team alpha-deploy.
  const release = await db().release.create({
    data: { name: "fixture-release", templateId: template.id, teamId: alphaDeploy.id },
  });
  await db().releaseCluster.create({
    data: {
      releaseId: release.id,
      clusterId: clusterA.id,
      revisionId,
      revisionNumber: 1,
      params: { image: "registry.local/demo:1.0" },
      objects: [{ apiVersion: "v1", kind: "ConfigMap", namespace: "team-a", name: "demo-config" }],
      appliedAt: new Date(),
    },
  });

  const spanningRelease = await db().release.create({
    data: { name: "spanning-release", templateId: template.id, teamId: alphaDeploy.id },
  });
  const spanning = await db().rollout.create({
    data: {
      releaseId: spanningRelease.id,
      revisionId,
      params: { image: "registry.local/demo:1.0" },
      strategy: { kind: "all" },
      healthGate: { timeoutSeconds: 60 },
      createdByEmail: "admin@example.com",
      state: "running",
      waves: { create: [{ index: 0 }] },
      targets: {
        create: [
          {
            clusterId: clusterA.id,
            clusterName: clusterA.name,
            waveIndex: 0,
            scope: [{ namespace: "team-a", level: "deploy" }],
          },
          {
            clusterId: clusterB.id,
            clusterName: clusterB.name,
            waveIndex: 0,
            scope: [{ namespace: "default", level: "deploy" }],
          },
        ],
      },
    },
  });

  const bystanders = {} as AccessFixtures["bystanders"];
  for (const persona of PERSONAS) {
    const bystander = await user(`bystander-${persona}@example.com`);
    await db().membership.create({ data: { teamId: alpha.id, userId: bystander.id } });
    await user(`newcomer-${persona}@example.com`);
    const grant = await db().grant.create({
      data: { teamId: alpha.id, clusterIds: [clusterA.id], namespaces: [`spare-${persona}`], level: "view" },
    });
    const rollout = await db().rollout.create({
      data: {
        releaseId: release.id,
        revisionId,
        params: { image: "registry.local/demo:1.0" },
        strategy: { kind: "all" },
        healthGate: { timeoutSeconds: 60 },
        createdByEmail: "admin@example.com",
        createdById: users.admin.id,
        state: "running",
        waves: { create: [{ index: 0 }] },
        teamId: alphaDeploy.id,
        targets: {
          create: [
            {
              clusterId: clusterA.id,
              clusterName: clusterA.name,
              waveIndex: 0,
              scope: [{ namespace: "team-a", level: "deploy" }],
            },
          ],
        },
      },
    });
    bystanders[persona] = {
      userId: bystander.id,
      email: bystander.email,
      newUserEmail: `newcomer-${persona}@example.com`,
      grantId: grant.id,
      rolloutId: rollout.id,
    };
  }
  const ssoProviderId = crypto.randomUUID();
  await db().ssoProvider.create({
    data: {
      id: ssoProviderId,
      slug: "fixture-sso",
      displayName: "Fixture SSO",
      issuer: "https://login.fixture.example",
      clientId: "archipelago",
      clientSecretEnvelope: sealClientSecret(ssoProviderId, "fixture-client-secret"),
      mappings: { create: [{ group: "alpha-people", teamId: alpha.id, role: "member" }] },
    },
  });

  return {
    ssoProvider: ssoProviderId,
    clusterA: { id: clusterA.id, name: clusterA.name },
    clusterB: { id: clusterB.id, name: clusterB.name },
    teamAlpha: alpha.id,
    teamOf: {
      anonymous: null,
      none: null,
      other: beta.id,
      view: alpha.id,
      deploy: alphaDeploy.id,
      manage: alphaManage.id,
      admin: null,
    },
    template: { id: template.id, revisionId },
    release: release.id,
    spanningRollout: spanning.id,
    users,
    bystanders,
  };
}

export const sessionIdOf = (token: string) => createHash("sha256").update(token).digest("hex");
