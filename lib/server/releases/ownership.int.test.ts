import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Testbed } from "@/testbed/harness";
import type { PreviewObject } from "@/lib/api/rollout-types";
import type { RolloutRequest } from "@/lib/schemas/templates";
import { loadAccessProfile } from "@/lib/server/access/profile";
import type { AccessProfile } from "@/lib/server/access/policy";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { resetEnvForTests } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { startRollout } from "@/lib/server/rollouts/create";
import { previewRollout } from "@/lib/server/rollouts/preview";
import { getRollout } from "@/lib/server/rollouts/queries";
import { startRolloutWorker, type RolloutWorker } from "@/lib/server/rollouts/worker";
import { createTemplate } from "@/lib/server/templates/templates";
import { resetDatabase } from "@/lib/testing/reset-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import { checkReleaseDrift } from "./drift";
import { getRelease } from "./queries";
import { executor } from "./hub-push";
import { releaseFieldManager } from "./ownership";

/**
 * One owner per object, on a real cluster: team red's release owns a ConfigMap; team blue's
 * release writing the same ConfigMap is refused (preview names the owner, the target fails
 * with the reason), also when it takes ownership but its author cannot steer red's release;
 * an admin (who may steer both) takes it over, audited, and red's drift says "taken over by".
 * An object kubectl created is refused without take-ownership. And: a deployer without reveal
 * learns nothing from the preview about whether a guessed Secret value is the live one.
 */

const run = promisify(execFile);
const SHARED = "own-shared";
const RED_ONLY = "own-red";

let tb: Testbed;
let worker: RolloutWorker;
let clusterId: string;
let admin: AccessProfile;
let red: AccessProfile;
let blue: AccessProfile;
let teams: { red: string; blue: string };
let templates: { red: string; blue: string; outside: string; secret: string };

const configMap = (name: string, namespace: string, value: string) =>
  [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    "data:",
    `  owner: ${value}`,
  ].join("\n");

async function live(path: string) {
  return (await transportFor(clusterId)).json<{
    data?: Record<string, string>;
    metadata: { labels?: Record<string, string>; managedFields?: Array<{ manager: string }> };
  }>({ method: "GET", path });
}

async function waitForRollout(id: string) {
  const until = Date.now() + 90_000;
  for (;;) {
    const rollout = await getRollout(admin, id);
    if (!["running", "pending"].includes(rollout.state) || Date.now() > until) return rollout;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

const request = (overrides: Partial<RolloutRequest> & Pick<RolloutRequest, "templateId" | "releaseName">) =>
  ({
    revision: 1,
    params: {},
    targets: { selector: null, clusterIds: [clusterId] },
    strategy: { kind: "all" },
    healthGate: { timeoutSeconds: 30 },
    tolerateFailures: 0,
    autoRollback: false,
    takeOwnership: false,
    ...overrides,
  }) as RolloutRequest;

const objectNamed = (objects: PreviewObject[], name: string) => objects.find((o) => o.ref.name === name)!;

beforeAll(async () => {
  tb = await testbed();
  process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS = "5000";
  resetEnvForTests();
  forgetAllTransports();
  await resetDatabase();
  clusterId = (await registerCluster(registrationFor(tb, "testbed-1", "owner-1"))).id;
  const transport = await transportFor(clusterId);
  for (const namespace of [SHARED, RED_ONLY]) {
    await transport.request({
      method: "POST",
      path: "/api/v1/namespaces",
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
    });
    for (const name of ["shared-config", "red-only", "outside-cm", "red-hidden", "taken-cm"])
      await transport.request({ method: "DELETE", path: `/api/v1/namespaces/${namespace}/configmaps/${name}` });
    await transport.request({
      method: "DELETE",
      path: `/apis/apps/v1/namespaces/${namespace}/deployments/never-ready`,
    });
    await transport.request({ method: "DELETE", path: `/api/v1/namespaces/${namespace}/secrets/guess-me` });
  }

  const redTeam = await db().team.create({ data: { name: "red" } });
  const blueTeam = await db().team.create({ data: { name: "blue" } });
  teams = { red: redTeam.id, blue: blueTeam.id };
  // Red deploys to both namespaces; blue only to the shared one, so blue cannot steer red's release.
  await db().grant.create({
    data: {
      teamId: redTeam.id,
      clusterIds: [clusterId],
      namespaces: [SHARED, RED_ONLY],
      level: "deploy",
      secrets: "metadata",
    },
  });
  await db().grant.create({
    data: { teamId: blueTeam.id, clusterIds: [clusterId], namespaces: [SHARED], level: "deploy", secrets: "metadata" },
  });
  const profileOf = async (email: string, teamId: string | null, isAdmin = false) => {
    const user = await createTestUser({ email, isAdmin });
    if (teamId) await db().membership.create({ data: { teamId, userId: user.id } });
    return loadAccessProfile({ user, via: "session" });
  };
  admin = await profileOf("admin@example.com", null, true);
  red = await profileOf("red@example.com", redTeam.id);
  blue = await profileOf("blue@example.com", blueTeam.id);

  const template = async (profile: AccessProfile, teamId: string, name: string, body: string, schema: object = {}) =>
    (
      await createTemplate(profile, {
        teamId,
        name,
        description: name,
        schema: { type: "object", properties: {}, ...schema },
        body,
        overrides: [],
        message: "first",
      })
    ).id;
  templates = {
    red: await template(
      red,
      redTeam.id,
      "red-config",
      `${configMap("shared-config", SHARED, "red")}\n---\n${configMap("red-only", RED_ONLY, "red")}`,
    ),
    blue: await template(blue, blueTeam.id, "blue-config", configMap("shared-config", SHARED, "blue")),
    outside: await template(blue, blueTeam.id, "blue-outside", configMap("outside-cm", SHARED, "blue")),
    secret: await template(
      blue,
      blueTeam.id,
      "blue-secret",
      [
        "apiVersion: v1",
        "kind: Secret",
        "metadata:",
        "  name: guess-me",
        `  namespace: ${SHARED}`,
        "stringData:",
        "  password: {{ params.guess | json }}",
      ].join("\n"),
      { properties: { guess: { type: "string", default: "unset" } } },
    ),
  };
  worker = await startRolloutWorker(process.env.DATABASE_URL!, executor);
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  delete process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  resetEnvForTests();
});

describe("one owner per object", () => {
  let redRelease: string;

  it("red's release applies with its own field manager and stamps its label", async () => {
    const rollout = await waitForRollout(
      (await startRollout(red, request({ teamId: teams.red, templateId: templates.red, releaseName: "red-release" })))
        .id,
    );
    expect(rollout.state).toBe("succeeded");
    redRelease = rollout.release.id;
    const object = await live(`/api/v1/namespaces/${SHARED}/configmaps/shared-config`);
    expect(object.metadata.labels?.["archipelago.dev/release"]).toBe(redRelease);
    expect(object.metadata.managedFields?.map((f) => f.manager)).toContain(releaseFieldManager(redRelease));
  });

  it("an object the release applied before per-release managers (shared manager `archipelago`) keeps working", async () => {
    // As the old code applied it: manager `archipelago`, the release's label, an older value.
    const transport = await transportFor(clusterId);
    await transport.request({ method: "DELETE", path: `/api/v1/namespaces/${RED_ONLY}/configmaps/red-only` });
    await transport.json({
      method: "PATCH",
      path: `/api/v1/namespaces/${RED_ONLY}/configmaps/red-only`,
      query: { fieldManager: "archipelago" },
      body: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "red-only", namespace: RED_ONLY, labels: { "archipelago.dev/release": redRelease } },
        data: { owner: "red-before" },
      },
      contentType: "application/apply-patch+yaml",
    });
    const rollout = await waitForRollout(
      (await startRollout(red, request({ teamId: teams.red, templateId: templates.red, releaseName: "red-release" })))
        .id,
    );
    expect(rollout.state, JSON.stringify(rollout.targets[0]?.error)).toBe("succeeded");
    const object = await live(`/api/v1/namespaces/${RED_ONLY}/configmaps/red-only`);
    expect(object.data).toEqual({ owner: "red" });
    expect(object.metadata.managedFields?.map((f) => f.manager)).toEqual(["archipelago"]);
  });

  it("blue's release writing the same ConfigMap is refused: the preview names the owner, the target fails", async () => {
    const body = request({ teamId: teams.blue, templateId: templates.blue, releaseName: "blue-release" });
    const preview = await previewRollout(blue, body);
    const object = objectNamed(preview.clusters[0]!.objects, "shared-config");
    expect(object.action).toBe("conflict");
    expect(object.owner).toBe('release "red-release"');
    expect(object.error).toMatch(/Owned by release "red-release"/);

    const rollout = await waitForRollout((await startRollout(blue, body)).id);
    expect(rollout.state).toBe("failed");
    expect(rollout.targets[0]!.error).toMatch(/ConfigMap shared-config: Owned by release "red-release"/);
    expect((await live(`/api/v1/namespaces/${SHARED}/configmaps/shared-config`)).data).toEqual({ owner: "red" });
  });

  it("taking ownership is refused to whoever cannot steer the owner release", async () => {
    const body = request({
      teamId: teams.blue,
      templateId: templates.blue,
      releaseName: "blue-release",
      takeOwnership: true,
    });
    const preview = await previewRollout(blue, body);
    const object = objectNamed(preview.clusters[0]!.objects, "shared-config");
    expect(object.action).toBe("conflict");
    expect(object.error).toMatch(/taking it over needs the right to steer that release/);

    const rollout = await waitForRollout((await startRollout(blue, body)).id);
    expect(rollout.state).toBe("failed");
    expect(rollout.targets[0]!.error).toMatch(/needs the right to steer that release/);
    const object2 = await live(`/api/v1/namespaces/${SHARED}/configmaps/shared-config`);
    expect(object2.data).toEqual({ owner: "red" });
    expect(object2.metadata.labels?.["archipelago.dev/release"]).toBe(redRelease);
  });

  it("an admin (who may steer both) takes it over, audited; red's drift says taken over by blue's release", async () => {
    const body = request({
      teamId: teams.blue,
      templateId: templates.blue,
      releaseName: "blue-release",
      takeOwnership: true,
    });
    const preview = await previewRollout(admin, body);
    const object = objectNamed(preview.clusters[0]!.objects, "shared-config");
    expect(object.action).toBe("change");
    expect(object.takesOverFrom).toBe('release "red-release"');

    const rollout = await waitForRollout((await startRollout(admin, body)).id);
    expect(rollout.state).toBe("succeeded");
    const taken = await live(`/api/v1/namespaces/${SHARED}/configmaps/shared-config`);
    expect(taken.data).toEqual({ owner: "blue" });
    expect(taken.metadata.labels?.["archipelago.dev/release"]).toBe(rollout.release.id);

    const audit = await db().auditEvent.findFirst({ where: { action: "release.object-taken-over" } });
    expect(audit).toMatchObject({ targetNamespace: SHARED, targetKind: "ConfigMap", targetName: "shared-config" });
    expect(audit!.details).toMatchObject({ releaseId: rollout.release.id, fromReleaseId: redRelease });

    const [drift] = await checkReleaseDrift(redRelease, { heal: false, caller: admin });
    expect(drift!.drift).toEqual([
      expect.objectContaining({
        name: "shared-config",
        problem: "taken-over",
        // Stored by id; named per reader when read (owner-words.ts).
        takenOverBy: `{release ${rollout.release.id}}`,
      }),
    ]);
    expect(
      (await getRelease(admin, redRelease)).clusters[0]!.drift.find((d) => d.name === "shared-config")?.takenOverBy,
    ).toBe('release "blue-release"');
    // A heal of red's release never takes it back: only a rollout that takes ownership could.
    await checkReleaseDrift(redRelease, { heal: true, caller: admin });
    expect((await live(`/api/v1/namespaces/${SHARED}/configmaps/shared-config`)).data).toEqual({ owner: "blue" });
  });

  it("an object kubectl created is owned outside Archipelago: refused without take-ownership", async () => {
    await run("kubectl", [
      "--kubeconfig",
      tb.kubeconfigPath,
      "--context",
      "testbed-1",
      "create",
      "configmap",
      "outside-cm",
      "-n",
      SHARED,
      "--from-literal=owner=kubectl",
    ]);
    const body = request({ teamId: teams.blue, templateId: templates.outside, releaseName: "blue-outside" });
    const preview = await previewRollout(blue, body);
    const object = objectNamed(preview.clusters[0]!.objects, "outside-cm");
    expect(object.action).toBe("conflict");
    expect(object.owner).toMatch(/kubectl-create.*outside Archipelago/);

    const rollout = await waitForRollout((await startRollout(blue, body)).id);
    expect(rollout.state).toBe("failed");
    expect((await live(`/api/v1/namespaces/${SHARED}/configmaps/outside-cm`)).data).toEqual({ owner: "kubectl" });

    const taken = await previewRollout(blue, { ...body, takeOwnership: true });
    expect(objectNamed(taken.clusters[0]!.objects, "outside-cm")).toMatchObject({ action: "change" });
  });
});

describe("an owner the caller cannot see", () => {
  it("a label naming a release the caller may not read is 'another release you cannot see'", async () => {
    await (
      await transportFor(clusterId)
    ).json({
      method: "PATCH",
      path: `/api/v1/namespaces/${SHARED}/configmaps/outside-cm`,
      query: { fieldManager: "someone-else", force: true },
      body: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: "outside-cm",
          namespace: SHARED,
          labels: { "archipelago.dev/release": "33333333-3333-4333-8333-333333333333" },
        },
      },
      contentType: "application/apply-patch+yaml",
    });
    const preview = await previewRollout(
      blue,
      request({ teamId: teams.blue, templateId: templates.outside, releaseName: "blue-outside" }),
    );
    const object = objectNamed(preview.clusters[0]!.objects, "outside-cm");
    expect(object).toMatchObject({ action: "conflict", owner: "another release you cannot see" });
  });
});

describe("no guessing oracle", () => {
  it("a deployer without reveal gets the same answer for a right and a wrong guess of a live Secret", async () => {
    await (
      await transportFor(clusterId)
    ).json({
      method: "PATCH",
      path: `/api/v1/namespaces/${SHARED}/secrets/guess-me`,
      query: { fieldManager: "someone-else", force: true },
      body: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "guess-me", namespace: SHARED },
        stringData: { password: "the-real-one" },
      },
      contentType: "application/apply-patch+yaml",
    });
    const previewFor = async (profile: AccessProfile, guess: string) => {
      const preview = await previewRollout(
        profile,
        request({
          teamId: teams.blue,
          templateId: templates.secret,
          releaseName: "guesser",
          params: { guess },
          takeOwnership: true,
        }),
      );
      const { action, diff, secretKeys, error } = objectNamed(preview.clusters[0]!.objects, "guess-me");
      return { action, diff, secretKeys, error };
    };
    const right = await previewFor(blue, "the-real-one");
    const wrong = await previewFor(blue, "a-wrong-guess");
    expect(right).toEqual(wrong);
    expect(right.action).toBe("change");
    expect(right.secretKeys).toEqual([{ key: "password", change: "written", fingerprint: null }]);
    // Whoever may reveal there is told, so the comparison above is a real one.
    expect((await previewFor(admin, "the-real-one")).secretKeys![0]!.change).toBe("unchanged");
    expect((await previewFor(admin, "a-wrong-guess")).secretKeys![0]!.change).toBe("changed");
  });
});

describe("owner names are put in per reader, never stored (issue 20, point 2)", () => {
  it("an admin's rollout and drift check name a release blue cannot read: blue reads 'another release you cannot see'", async () => {
    // A release of red's that writes only where blue cannot look.
    const hiddenTemplate = await createTemplate(red, {
      teamId: teams.red,
      name: "red-hidden",
      description: "red-hidden",
      schema: { type: "object", properties: {} },
      body: configMap("red-hidden", RED_ONLY, "red"),
      overrides: [],
      message: "first",
    });
    const hidden = await waitForRollout(
      (
        await startRollout(
          red,
          request({ teamId: teams.red, templateId: hiddenTemplate.id, releaseName: "red-hidden-release" }),
        )
      ).id,
    );
    expect(hidden.state).toBe("succeeded");
    // Objects in the namespace blue sees carry that release's label (as if it had written them there).
    for (const name of ["outside-cm", "shared-config"])
      await (
        await transportFor(clusterId)
      ).json({
        method: "PATCH",
        path: `/api/v1/namespaces/${SHARED}/configmaps/${name}`,
        query: { fieldManager: "someone-else", force: true },
        body: {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name, namespace: SHARED, labels: { "archipelago.dev/release": hidden.release.id } },
        },
        contentType: "application/apply-patch+yaml",
      });

    // The admin's rollout of blue's release is refused there; what is stored names no release.
    const rollout = await waitForRollout(
      (
        await startRollout(
          admin,
          request({ teamId: teams.blue, templateId: templates.outside, releaseName: "blue-outside" }),
        )
      ).id,
    );
    expect(rollout.state).toBe("failed");
    const stored = await db().rolloutTarget.findMany({ where: { rolloutId: rollout.id } });
    expect(JSON.stringify(stored)).not.toContain("red-hidden-release");
    expect(rollout.targets[0]!.error).toMatch(/ConfigMap outside-cm: Owned by release "red-hidden-release"/);
    const asBlue = await getRollout(blue, rollout.id);
    expect(asBlue.targets[0]!.error).toMatch(/ConfigMap outside-cm: Owned by another release you cannot see/);
    expect(JSON.stringify(asBlue)).not.toContain("red-hidden-release");

    // The admin's drift check of red's release: stored by id, named per reader.
    const redRelease = (await db().release.findFirstOrThrow({ where: { name: "red-release" } })).id;
    const [drift] = await checkReleaseDrift(redRelease, { heal: false, caller: admin });
    expect(drift!.drift).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "shared-config", problem: "taken-over" })]),
    );
    const row = await db().releaseCluster.findFirst({ where: { releaseId: redRelease } });
    expect(JSON.stringify(row!.driftDetails)).not.toContain("red-hidden-release");
    const entryFor = async (profile: AccessProfile) =>
      (await getRelease(profile, redRelease)).clusters[0]!.drift.find((d) => d.name === "shared-config");
    expect((await entryFor(admin))?.takenOverBy).toBe('release "red-hidden-release"');
    expect((await entryFor(blue))?.takenOverBy).toBe("another release you cannot see");
    expect(JSON.stringify(await getRelease(blue, redRelease))).not.toContain("red-hidden-release");
  });
});

describe("a rollback leaves what its rollout took over (issue 20, point 2)", () => {
  it("a take-over rollout that fails its gate and rolls back leaves the taken object in place", async () => {
    await run("kubectl", [
      "--kubeconfig",
      tb.kubeconfigPath,
      "--context",
      "testbed-1",
      "create",
      "configmap",
      "taken-cm",
      "-n",
      SHARED,
      "--from-literal=owner=kubectl",
    ]);
    // A Deployment no controller makes ready on the testbed: the gate times out and the wave rolls back.
    const templateId = (
      await createTemplate(blue, {
        teamId: teams.blue,
        name: "blue-takes",
        description: "blue-takes",
        schema: { type: "object", properties: {} },
        body: [
          configMap("taken-cm", SHARED, "blue"),
          "---",
          "apiVersion: apps/v1",
          "kind: Deployment",
          "metadata:",
          "  name: never-ready",
          `  namespace: ${SHARED}`,
          "spec:",
          "  replicas: 1",
          "  selector:",
          "    matchLabels: { app: never-ready }",
          "  template:",
          "    metadata:",
          "      labels: { app: never-ready }",
          "    spec:",
          "      containers:",
          "        - name: c",
          "          image: example.invalid/fail:1",
        ].join("\n"),
        overrides: [],
        message: "first",
      })
    ).id;
    const started = await startRollout(
      blue,
      request({
        teamId: teams.blue,
        templateId,
        releaseName: "blue-takes",
        takeOwnership: true,
        autoRollback: true,
        healthGate: { timeoutSeconds: 5 },
      }),
    );
    let rollout = await getRollout(admin, started.id);
    const until = Date.now() + 90_000;
    while (!["rolled_back", "failed", "succeeded", "aborted"].includes(rollout.state) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      rollout = await getRollout(admin, started.id);
    }
    expect(rollout.state).toBe("rolled_back");
    // The object it took over stays (now the release's, as taken), and the notes say so;
    // what it created is removed.
    const taken = await live(`/api/v1/namespaces/${SHARED}/configmaps/taken-cm`);
    expect(taken.data).toEqual({ owner: "blue" });
    expect(rollout.targets[0]!.error).toMatch(
      /ConfigMap taken-cm: taken over from kubectl-create \(outside Archipelago\) by this rollout; left in place/,
    );
    const transport = await transportFor(clusterId);
    const deployment = await transport.request({
      method: "GET",
      path: `/apis/apps/v1/namespaces/${SHARED}/deployments/never-ready`,
    });
    expect(deployment.status).toBe(404);
  });
});
