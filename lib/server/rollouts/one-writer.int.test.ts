import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { auditEvents, type Testbed } from "@/testbed/harness";
import { loadAccessProfile } from "@/lib/server/access/profile";
import type { AccessProfile } from "@/lib/server/access/policy";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { db } from "@/lib/server/db/client";
import { isAppError } from "@/lib/server/errors/app-error";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { checkReleaseDrift, type DriftResult } from "@/lib/server/releases/drift";
import type { ObjectHealth, ReleaseExecutor } from "@/lib/server/releases/executor";
import { executor } from "@/lib/server/releases/hub-push";
import { getRelease } from "@/lib/server/releases/queries";
import { checkDriftFor } from "@/lib/server/releases/steer";
import type { ReleaseDetail } from "@/lib/api/rollout-types";
import { createTemplate, saveRevision } from "@/lib/server/templates/templates";
import { resetDatabase } from "@/lib/testing/reset-database";
import { demoTemplate } from "@/lib/testing/rollout-fixtures";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import { sealClientSecret } from "@/lib/server/sso/secret-vault";
import { controlRollout } from "./control";
import { startRollout } from "./create";
import { runTarget } from "./engine";
import { rollbackRelease } from "./rollback";

/**
 * One writer per release and cluster, against a real API server and real Postgres: the engine
 * runs in this process with the real cluster transport (each worker step called by hand, so the
 * test decides when), and what reached the cluster is read back from it and from its audit log.
 */

let tb: Testbed;
let admin: AccessProfile;
let clusterId: string;
const runSuffix = randomBytes(3).toString("hex");
const releases: string[] = [];

const objectNames = (release: string) => [
  `configmaps/${release}-config`,
  `secrets/${release}-secret`,
  `serviceaccounts/${release}-sa`,
  `services/${release}-svc`,
  `deployments/${release}-web`,
];

/** Server-side applies (not dry runs) of a release's objects that reached testbed-1, from its audit log. */
function appliesReached(release: string): number {
  return auditEvents("testbed-1").filter((event) => {
    const query = new URL(event.requestURI, "https://cluster").searchParams;
    return (
      event.verb === "patch" &&
      query.has("fieldManager") &&
      !query.has("dryRun") &&
      event.objectRef?.namespace === "team-a" &&
      objectNames(release).includes(`${event.objectRef.resource}/${event.objectRef.name}`) &&
      (event.responseStatus?.code ?? 0) < 300
    );
  }).length;
}

async function liveConfig(release: string) {
  const transport = await transportFor(clusterId);
  return transport.json<{ data?: Record<string, string>; metadata: { annotations?: Record<string, string> } }>({
    method: "GET",
    path: `/api/v1/namespaces/team-a/configmaps/${release}-config`,
  });
}

const status = (error: unknown) => (isAppError(error) ? { status: error.status, message: error.message } : error);

beforeAll(async () => {
  tb = await testbed();
  forgetAllTransports();
  await resetDatabase();
  const user = await createTestUser({ isAdmin: true, email: "writer@example.com" });
  admin = await loadAccessProfile({ user, via: "session" });
  clusterId = (await registerCluster(registrationFor(tb, "testbed-1", "ow-1"))).id;
}, 300_000);

afterAll(async () => {
  const transport = await transportFor(clusterId);
  for (const release of releases)
    for (const object of objectNames(release)) {
      const group = object.startsWith("deployments/") ? "/apis/apps/v1" : "/api/v1";
      await transport.request({ method: "DELETE", path: `${group}/namespaces/team-a/${object}` });
    }
});

const request = (release: string, templateId: string, overrides: Record<string, unknown> = {}) => ({
  releaseName: release,
  templateId,
  revision: 1,
  params: { image: "registry.local/writer:1.0", greeting: "one" },
  targets: { selector: null, clusterIds: [clusterId] },
  strategy: { kind: "all" as const },
  healthGate: { timeoutSeconds: 30 },
  tolerateFailures: 0,
  autoRollback: false,
  takeOwnership: true,
  ...overrides,
});

const targetOf = async (rolloutId: string) => db().rolloutTarget.findFirstOrThrow({ where: { rolloutId } });

describe("one writer per release and cluster", () => {
  it("auto-heal every second during a wave whose gate waits: the new revision stays, the gate judges the new objects, drift reports the rollout in flight; a second rollout, a heal, a check and a rollback get a 409 naming it", async () => {
    const release = `writer-heal-${runSuffix}`;
    releases.push(release);
    const templateId = (await createTemplate(admin, demoTemplate(release, release))).id;
    const first = await startRollout(admin, request(release, templateId));
    await runTarget((await targetOf(first.id)).id, executor);
    expect((await db().rollout.findUniqueOrThrow({ where: { id: first.id } })).state).toBe("succeeded");
    const { releaseId } = await db().rollout.findUniqueOrThrow({
      where: { id: first.id },
      select: { releaseId: true },
    });
    await db().release.update({ where: { id: releaseId }, data: { autoHeal: true } });
    await saveRevision(admin, templateId, { ...demoTemplate(release, release), message: "second" });

    const second = await startRollout(
      admin,
      request(release, templateId, { revision: 2, params: { greeting: "two" } }),
    );
    const rounds: DriftResult[][] = [];
    const judged: Array<{ greeting?: string; revision?: string }> = [];
    const refused: Record<string, unknown> = {};
    let healer: Promise<void> | null = null;
    let whileHeld: ReleaseDetail | null = null;
    let stopHealing = false;
    // The gate waits (reports not ready) until five rounds of auto-heal ran during it, then asks
    // the cluster; every read it makes is of the live objects.
    const gated: ReleaseExecutor = {
      apply: (...args) => executor.apply(...args),
      read: (...args) => executor.read(...args),
      deleteOwned: (...args) => executor.deleteOwned(...args),
      waitForChange: (...args) => executor.waitForChange(...args),
      health: async (id, refs): Promise<ObjectHealth[]> => {
        const live = await liveConfig(release);
        judged.push({
          greeting: live.data?.greeting,
          revision: live.metadata.annotations?.["archipelago.dev/revision"],
        });
        if (!healer) {
          // Everything that would write this release while the rollout holds it.
          const before = await db().rollout.count();
          const drift = await db().releaseCluster.findFirstOrThrow({ where: { releaseId } });
          refused.rollout = await startRollout(admin, request(release, templateId, { revision: 2 })).catch(status);
          refused.heal = await checkDriftFor(admin, releaseId, { heal: true }).catch(status);
          refused.check = await checkDriftFor(admin, releaseId, { heal: false }).catch(status);
          refused.rollback = await rollbackRelease(admin, releaseId, { revision: 1 }).catch(status);
          refused.written =
            (await db().rollout.count()) -
            before +
            Number(
              (await db().releaseCluster.findFirstOrThrow({ where: { releaseId } })).driftCheckedAt?.getTime() !==
                drift.driftCheckedAt?.getTime(),
            );
          // The scheduled auto-heal, on a one-second schedule.
          healer = (async () => {
            while (!stopHealing) {
              rounds.push(await checkReleaseDrift(releaseId, { heal: true }));
              await new Promise((resolve) => setTimeout(resolve, 1000));
            }
          })();
        }
        if (rounds.length < 5) return refs.map((ref) => ({ ref, health: "progressing" as const }));
        // What a person sees meanwhile: the release page names the rollout that holds the cluster.
        if (!whileHeld) whileHeld = await getRelease(admin, releaseId);
        return executor.health(id, refs);
      },
    };
    try {
      await runTarget((await targetOf(second.id)).id, gated);
    } finally {
      stopHealing = true;
      await healer;
    }

    expect((await db().rollout.findUniqueOrThrow({ where: { id: second.id } })).state).toBe("succeeded");
    // The gate only ever saw the new revision's objects, and the cluster keeps them.
    expect(judged.length).toBeGreaterThanOrEqual(2);
    expect(new Set(judged.map((j) => `${j.revision} ${j.greeting}`))).toEqual(new Set(["2 two"]));
    const live = await liveConfig(release);
    expect([live.metadata.annotations?.["archipelago.dev/revision"], live.data?.greeting]).toEqual(["2", "two"]);
    expect((await db().releaseCluster.findFirstOrThrow({ where: { releaseId } })).revisionNumber).toBe(2);
    // Every round during the gate said why it left the cluster alone.
    const during = rounds.slice(0, 5).flat();
    expect(during.length).toBe(5);
    for (const result of during) expect(result).toMatchObject({ state: "held", heldBy: "rollout in flight" });
    expect(whileHeld!.clusters[0]!.heldBy).toEqual({ kind: "rollout", rolloutId: second.id });
    // ... and the round's record says so, keeping the last real result (the rollout's in sync).
    expect(whileHeld!.clusters[0]!.driftState).toBe("in_sync");
    expect(whileHeld!.clusters[0]!.drift).toEqual([
      expect.objectContaining({ problem: "held", error: expect.stringContaining("rollout in flight") }),
    ]);
    expect((await getRelease(admin, releaseId)).clusters[0]!.heldBy).toBeNull();
    for (const [what, answer] of Object.entries({ ...refused, written: undefined }).filter(([k]) => k !== "written"))
      expect(answer, what).toMatchObject({ status: 409, message: expect.stringContaining(second.id) });
    expect(refused.written).toBe(0);
    // The rollout has ended: the release is free, and a heal round checks it again.
    const after = await checkReleaseDrift(releaseId, { heal: true });
    expect(after.map((r) => r.state)).toEqual(["in_sync"]);
  }, 180_000);

  it("a scheduled drift round takes no hold while it checks: a rollout started during it starts, and the round's stale answer is not recorded over the rollout's", async () => {
    const release = `writer-round-${runSuffix}`;
    releases.push(release);
    const templateId = (await createTemplate(admin, demoTemplate(release, release))).id;
    const first = await startRollout(admin, request(release, templateId));
    await runTarget((await targetOf(first.id)).id, executor);
    const { releaseId } = await db().rollout.findUniqueOrThrow({
      where: { id: first.id },
      select: { releaseId: true },
    });
    let reached!: () => void;
    const inCheck = new Promise<void>((resolve) => (reached = resolve));
    let proceed!: () => void;
    const resume = new Promise<void>((resolve) => (proceed = resolve));
    // The round's dry run stops half-way until the test has started a rollout.
    const paused: ReleaseExecutor = {
      ...executor,
      apply: async (...args) => {
        reached();
        await resume;
        return executor.apply(...args);
      },
    };
    const before = await db().releaseCluster.findFirstOrThrow({ where: { releaseId } });
    const round = checkReleaseDrift(releaseId, { heal: true, executor: paused });
    await inCheck;
    expect(await db().releaseWriter.count({ where: { releaseId } })).toBe(0);
    const second = await startRollout(admin, request(release, templateId, { params: { greeting: "two" } }));
    proceed();
    const [result] = await round;
    // Nothing drifted, so nothing was healed or held; the rollout holds the cluster, so the
    // round's answer was not recorded.
    expect(result!.state).toBe("in_sync");
    const after = await db().releaseCluster.findFirstOrThrow({ where: { releaseId } });
    expect(after.driftCheckedAt).toEqual(before.driftCheckedAt);
    await runTarget((await targetOf(second.id)).id, executor);
    expect((await db().rollout.findUniqueOrThrow({ where: { id: second.id } })).state).toBe("succeeded");
    expect((await liveConfig(release)).data?.greeting).toBe("two");
  }, 120_000);

  it("a heal holds a cluster from the start of its write, renewed then, and records only while it still holds it", async () => {
    const release = `writer-healhold-${runSuffix}`;
    releases.push(release);
    const templateId = (await createTemplate(admin, demoTemplate(release, release))).id;
    const { id } = await startRollout(admin, request(release, templateId));
    await runTarget((await targetOf(id)).id, executor);
    const { releaseId } = await db().rollout.findUniqueOrThrow({ where: { id }, select: { releaseId: true } });
    const edit = () =>
      transportFor(clusterId).then((transport) =>
        transport.json({
          method: "PATCH",
          path: `/api/v1/namespaces/team-a/configmaps/${release}-config`,
          body: { data: { greeting: "edited" } },
          contentType: "application/merge-patch+json",
          query: { fieldManager: "kubectl-edit" },
        }),
      );
    const seen: Array<{ dryRun: boolean; holds: Array<{ kind: string; expiresAt: Date | null }> }> = [];
    let onWrite: () => Promise<void> = async () => undefined;
    const watched: ReleaseExecutor = {
      ...executor,
      apply: async (cluster, manifests, options) => {
        seen.push({
          dryRun: options.dryRun === true,
          holds: await db().releaseWriter.findMany({ where: { releaseId }, select: { kind: true, expiresAt: true } }),
        });
        if (!options.dryRun) await onWrite();
        return executor.apply(cluster, manifests, options);
      },
    };
    await edit();
    const [healed] = await checkReleaseDrift(releaseId, { heal: true, executor: watched });
    expect(healed!.state).toBe("in_sync");
    // The dry runs held nothing; the write held the cluster for a heal, with a fresh expiry.
    expect(seen.filter((s) => s.dryRun).every((s) => s.holds.length === 0)).toBe(true);
    const write = seen.find((s) => !s.dryRun)!;
    expect(write.holds).toHaveLength(1);
    expect(write.holds[0]!.kind).toBe("heal");
    expect(write.holds[0]!.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 8 * 60_000);
    expect(await db().releaseWriter.count({ where: { releaseId } })).toBe(0);

    // A hold lost during the write (expired, taken over): the heal records nothing after it.
    await edit();
    const digests = (await db().releaseCluster.findFirstOrThrow({ where: { releaseId } })).sourceDigests;
    await db().releaseCluster.update({
      where: { releaseId_clusterId: { releaseId, clusterId } },
      data: { sourceDigests: { marker: "before" } },
    });
    onWrite = async () => {
      await db().releaseWriter.updateMany({ where: { releaseId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    };
    const [lost] = await checkReleaseDrift(releaseId, { heal: true, executor: watched });
    expect(lost!.state).toBe("unknown");
    expect((await db().releaseCluster.findFirstOrThrow({ where: { releaseId } })).sourceDigests).toEqual({
      marker: "before",
    });
    await db().releaseCluster.update({
      where: { releaseId_clusterId: { releaseId, clusterId } },
      data: { sourceDigests: digests ?? {} },
    });
  }, 120_000);

  it("abort racing a worker, each ordering forced once by a barrier and many runs with injected pauses: a target is skipped with nothing applied (per the API server's audit log), or runs to a recorded outcome; never both", async () => {
    const base = db();
    const holder = globalThis as unknown as { archipelagoDb?: unknown };
    // Pauses of 0–15 ms before every read or write of a target, on both sides of the race.
    // A barrier the first two runs use to force each ordering: the worker stops right after its
    // claim (state applying) until the test's abort has returned.
    let afterClaim: (() => Promise<void>) | null = null;
    holder.archipelagoDb = base.$extends({
      query: {
        rolloutTarget: {
          $allOperations: async ({ operation, args, query }) => {
            if (!afterClaim) await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 15)));
            const result = await query(args);
            const data = (args as { data?: { state?: unknown; claimedBy?: unknown } }).data;
            if (afterClaim && operation === "updateMany" && data?.state === "applying" && data.claimedBy)
              await afterClaim();
            return result;
          },
        },
      },
    });
    const outcomes: Record<string, number> = {};
    try {
      for (let run = 0; run < 12; run += 1) {
        const release = `writer-race-${runSuffix}-${run}`;
        releases.push(release);
        const templateId = (await createTemplate(admin, demoTemplate(release, release))).id;
        const { id } = await startRollout(admin, request(release, templateId));
        const target = await targetOf(id);
        if (run === 0) {
          // Forced: the abort first, then the worker.
          await controlRollout(admin, id, "abort");
          await runTarget(target.id, executor).catch(() => undefined);
        } else if (run === 1) {
          // Forced: the worker claims first, the abort comes while it holds the target.
          let claimed!: () => void;
          const reached = new Promise<void>((resolve) => (claimed = resolve));
          let go!: () => void;
          const aborted = new Promise<void>((resolve) => (go = resolve));
          afterClaim = async () => {
            claimed();
            await aborted;
          };
          const worker = runTarget(target.id, executor).catch(() => undefined);
          await reached;
          afterClaim = null;
          await controlRollout(admin, id, "abort");
          go();
          await worker;
        } else {
          // Either side may go first: the abort takes longer to reach its update (an access check,
          // the rollout's own move), so every other run the worker starts later, over a spread of
          // delays that covers the overlap.
          const pause = (extra: number) =>
            new Promise((resolve) => setTimeout(resolve, extra + Math.floor(Math.random() * 40)));
          await Promise.all([
            pause(run % 2 ? 15 * (run % 6) : 0).then(() => runTarget(target.id, executor).catch(() => undefined)),
            pause(0).then(() => controlRollout(admin, id, "abort").catch(() => undefined)),
          ]);
        }
        const ended = await db().rolloutTarget.findUniqueOrThrow({ where: { id: target.id } });
        const steps = (await db().rolloutEvent.findMany({ where: { targetId: target.id } })).map((e) => e.step);
        const applied = appliesReached(release);
        outcomes[ended.state] = (outcomes[ended.state] ?? 0) + 1;
        if (ended.state === "skipped") {
          expect(applied, `run ${run}: skipped, yet applied`).toBe(0);
          expect(steps, `run ${run}`).toEqual(["target.skipped"]);
        } else {
          expect(["failed", "succeeded"], `run ${run}`).toContain(ended.state);
          expect(steps, `run ${run}`).not.toContain("target.skipped");
          expect(
            steps.some((step) => step === "target.failed" || step === "target.succeeded"),
            `run ${run}`,
          ).toBe(true);
          if (steps.includes("target.applied")) expect(applied, `run ${run}`).toBe(5);
        }
        expect(await db().releaseWriter.count({ where: { holderId: id } }), `run ${run}: let go`).toBe(0);
        if (run === 0) expect(ended.state, "abort first").toBe("skipped");
        if (run === 1) {
          expect(ended.state, "worker first").toBe("failed");
          expect(applied, "worker first: applied").toBe(5);
        }
      }
    } finally {
      holder.archipelagoDb = base;
    }
    // Both orderings were tested (the first two runs force them).
    expect(outcomes.skipped ?? 0).toBeGreaterThanOrEqual(1);
    expect((outcomes.failed ?? 0) + (outcomes.succeeded ?? 0)).toBeGreaterThanOrEqual(1);
  }, 300_000);

  it("the author's standing decides background work: a disabled single sign-on provider or stale groups stop their auto-heal (and their rollouts' applies)", async () => {
    const release = `writer-sso-${runSuffix}`;
    releases.push(release);
    const providerId = crypto.randomUUID();
    await db().ssoProvider.create({
      data: {
        id: providerId,
        slug: `writer-sso-${runSuffix}`,
        displayName: "Writer SSO",
        issuer: "https://login.writer.example",
        clientId: "archipelago",
        clientSecretEnvelope: sealClientSecret(providerId, "writer-client-secret"),
      },
    });
    const user = await createTestUser({ isAdmin: true, email: "sso-author@example.com" });
    await db().user.update({
      where: { id: user.id },
      data: { ssoProviderId: providerId, ssoSubject: "sso-author", ssoSyncedAt: new Date() },
    });
    const author = await loadAccessProfile({ user, via: "session" });
    const templateId = (await createTemplate(author, demoTemplate(release, release))).id;
    const { id } = await startRollout(author, request(release, templateId));
    await runTarget((await targetOf(id)).id, executor);
    const { releaseId } = await db().rollout.findUniqueOrThrow({ where: { id }, select: { releaseId: true } });
    const drift = async () => {
      const transport = await transportFor(clusterId);
      await transport.json({
        method: "PATCH",
        path: `/api/v1/namespaces/team-a/configmaps/${release}-config`,
        body: { data: { greeting: "edited" } },
        contentType: "application/merge-patch+json",
        query: { fieldManager: "kubectl-edit" },
      });
    };
    const notHealed = async (reason: RegExp) => {
      await drift();
      const [result] = await checkReleaseDrift(releaseId, { heal: true });
      expect(result!.state).toBe("drifted");
      expect(result!.healed).toBeUndefined();
      const row = await db().releaseCluster.findFirstOrThrow({ where: { releaseId } });
      expect(JSON.stringify(row.driftDetails)).toMatch(reason);
      expect((await liveConfig(release)).data?.greeting).toBe("edited");
    };

    // While the author may act, the scheduled heal puts the object back.
    await drift();
    const [healed] = await checkReleaseDrift(releaseId, { heal: true });
    expect(healed!.state).toBe("in_sync");
    expect((await liveConfig(release)).data?.greeting).toBe("one");

    await db().ssoProvider.update({ where: { id: providerId }, data: { enabled: false } });
    await notHealed(/Not healed: their single sign-on provider is switched off/);

    await db().ssoProvider.update({ where: { id: providerId }, data: { enabled: true } });
    await db().user.update({ where: { id: user.id }, data: { ssoSyncedAt: new Date(Date.now() - 72 * 3_600_000) } });
    await notHealed(/Not healed: their groups from the single sign-on provider are out of date/);

    // The same rule stops their rollout's worker before it applies anything.
    const applies = appliesReached(release);
    const next = await startRollout(admin, request(release, templateId, { params: { greeting: "three" } }));
    await db().rollout.update({ where: { id: next.id }, data: { createdById: user.id } });
    await runTarget((await targetOf(next.id)).id, executor);
    const target = await targetOf(next.id);
    expect(target.state).toBe("failed");
    expect(target.error).toMatch(/Not applied: their groups from the single sign-on provider are out of date/);
    expect(appliesReached(release)).toBe(applies);
  }, 180_000);

  it("drift keeps causes per object: objects the API server refuses are named with its reason, never 'cluster unreachable'; a heal's outcome per object is kept", async () => {
    const release = `writer-cause-${runSuffix}`;
    releases.push(release);
    const templateId = (await createTemplate(admin, demoTemplate(release, release))).id;
    const { id } = await startRollout(admin, request(release, templateId));
    await runTarget((await targetOf(id)).id, executor);
    const { releaseId } = await db().rollout.findUniqueOrThrow({ where: { id }, select: { releaseId: true } });

    // A heal: the outcome of each object it wrote is in the answer.
    const transport = await transportFor(clusterId);
    await transport.json({
      method: "PATCH",
      path: `/api/v1/namespaces/team-a/configmaps/${release}-config`,
      body: { data: { greeting: "edited" } },
      contentType: "application/merge-patch+json",
      query: { fieldManager: "kubectl-edit" },
    });
    const [healed] = await checkReleaseDrift(releaseId, { heal: true });
    expect(healed!.state).toBe("in_sync");
    expect(healed!.healed).toHaveLength(5);
    expect(healed!.healed).toContainEqual(
      expect.objectContaining({ kind: "ConfigMap", name: `${release}-config`, action: "configured" }),
    );

    // The record now renders into a namespace the cluster does not have: each object is refused
    // (404) while the cluster answers fine.
    const row = await db().releaseCluster.findFirstOrThrow({ where: { releaseId } });
    await db().releaseCluster.update({
      where: { releaseId_clusterId: { releaseId, clusterId } },
      data: { params: { ...(row.params as object), namespace: `missing-${runSuffix}` } },
    });
    const [refused] = await checkReleaseDrift(releaseId, { heal: false });
    expect(refused!.state).toBe("unknown");
    expect(refused!.drift).toHaveLength(5);
    for (const entry of refused!.drift)
      expect(entry).toMatchObject({ problem: "error", error: "Not found on the cluster (404)" });
    const stored = await db().releaseCluster.findFirstOrThrow({ where: { releaseId } });
    expect(stored.driftState).toBe("unknown");
    expect(JSON.stringify(stored.driftDetails)).not.toMatch(/unreachable|did not answer/);
  }, 120_000);
});
