import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditEventsByAlias,
  downAliases,
  ensureTestbed,
  fault,
  resumeAll,
  type AuditEvent,
  type Testbed,
} from "@/testbed/harness";
import { loadAccessProfile } from "@/lib/server/access/profile";
import type { AccessProfile } from "@/lib/server/access/policy";
import { transportFor } from "@/lib/server/clusters/connection";
import { registerCluster } from "@/lib/server/clusters/register";
import { resetEnvForTests } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { executor } from "@/lib/server/releases/hub-push";
import { createTemplate } from "@/lib/server/templates/templates";
import { resetDatabase } from "@/lib/testing/reset-database";
import { demoTemplate } from "@/lib/testing/rollout-fixtures";
import { registrationFor } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import { controlRollout } from "./control";
import { startRollout } from "./create";
import { startRolloutWorker, type RolloutWorker } from "./worker";

/**
 * A push to 30 clusters (issue 22): 3 real API servers, each under 10 names (testbed aliases:
 * its own proxy, credential and audit-log user per name). What reached each name is counted
 * from the API servers' audit logs, not from our own step log.
 */

const REAL = 3;
const ALIASES = 10;
const runSuffix = randomBytes(3).toString("hex");

let tb: Testbed;
let admin: AccessProfile;
let worker: RolloutWorker;
/** Registered name (= alias name) -> cluster id. */
const ids: Record<string, string> = {};

const demoObjects = (release: string) => [
  `configmaps/${release}-config`,
  `secrets/${release}-secret`,
  `serviceaccounts/${release}-sa`,
  `services/${release}-svc`,
  `deployments/${release}-web`,
];

/** Successful, non-dry-run server-side applies of the release's objects, per alias: "alias resource/name" -> count. */
function appliesByAlias(release: string): Record<string, number> {
  const counts: Record<string, number> = {};
  const isApply = (event: AuditEvent) => {
    const query = new URL(event.requestURI, "https://cluster").searchParams;
    const ref = event.objectRef;
    return (
      event.verb === "patch" &&
      query.has("fieldManager") &&
      !query.has("dryRun") &&
      (event.responseStatus?.code ?? 0) < 300 &&
      ref?.namespace === "team-a" &&
      demoObjects(release).includes(`${ref.resource}/${ref.name}`)
    );
  };
  for (const cluster of tb.clusters)
    for (const [alias, events] of auditEventsByAlias(cluster))
      for (const event of events.filter(isApply)) {
        const key = `${alias} ${event.objectRef!.resource}/${event.objectRef!.name}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
  return counts;
}

async function waitForTargets(rolloutId: string, done: (states: string[]) => boolean, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const targets = await db().rolloutTarget.findMany({ where: { rolloutId } });
    if (done(targets.map((t) => t.state)) || Date.now() > until) return targets;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const request = (release: string, templateId: string, clusterIds: string[], extra: Record<string, unknown> = {}) => ({
  releaseName: release,
  templateId,
  revision: 1,
  params: { image: "registry.local/fanout:1.0", replicas: 1 },
  targets: { clusterIds },
  strategy: { kind: "all" as const },
  healthGate: { timeoutSeconds: 120 },
  tolerateFailures: 0,
  autoRollback: false,
  takeOwnership: false,
  ...extra,
});

beforeAll(async () => {
  tb = await ensureTestbed({ clusters: REAL, aliases: ALIASES, timeoutMs: 15 * 60_000 });
  process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS = "3000";
  resetEnvForTests();
  forgetAllTransports();
  await resetDatabase();
  const user = await createTestUser({ isAdmin: true, email: "fanout@example.com" });
  admin = await loadAccessProfile({ user, via: "session" });
  for (const cluster of tb.clusters.slice(0, REAL))
    for (const alias of cluster.aliases.slice(0, ALIASES))
      ids[alias.name] = (await registerCluster(registrationFor(tb, alias.context, alias.name))).id;
  worker = await startRolloutWorker(process.env.DATABASE_URL!, executor);
}, 15 * 60_000);

afterAll(async () => {
  await worker?.stop();
  await resumeAll();
  // What this run created, gone from the three real clusters (every alias shows the same objects).
  for (const cluster of tb?.clusters.slice(0, REAL) ?? []) {
    const transport = await transportFor(ids[cluster.name]!);
    for (const release of [`fan-${runSuffix}`, `fanhang-${runSuffix}`])
      for (const object of demoObjects(release)) {
        const [resource, name] = object.split("/");
        const group = resource === "deployments" ? "/apis/apps/v1" : "/api/v1";
        await transport.request({ method: "DELETE", path: `${group}/namespaces/team-a/${resource}/${name}` });
      }
  }
  delete process.env.ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  resetEnvForTests();
  // Later test files import the whole kubeconfig and expect the usual contexts only.
  await downAliases();
}, 120_000);

describe(`a push to ${REAL * ALIASES} names on ${REAL} real API servers`, () => {
  it("applies each object exactly once per name (audit logs) and every target succeeds", async () => {
    const names = Object.keys(ids);
    expect(names).toHaveLength(REAL * ALIASES);
    const release = `fan-${runSuffix}`;
    const templateId = (await createTemplate(admin, demoTemplate(release, release))).id;
    const { id } = await startRollout(admin, request(release, templateId, Object.values(ids)));
    const targets = await waitForTargets(id, (states) => states.every((s) => s === "succeeded"), 180_000);
    expect(targets.map((t) => [t.clusterName, t.state, t.error]).sort()).toEqual(
      names.map((name) => [name, "succeeded", null]).sort(),
    );
    await expect
      .poll(async () => (await db().rollout.findUniqueOrThrow({ where: { id } })).state, { timeout: 30_000 })
      .toBe("succeeded");
    expect(appliesByAlias(release)).toEqual(
      Object.fromEntries(names.flatMap((name) => demoObjects(release).map((object) => [`${name} ${object}`, 1]))),
    );
  }, 240_000);

  it("with one name hung, the other 29 finish in their own time while it is still waiting", async () => {
    const hung = `testbed-2-a5`;
    expect(ids[hung]).toBeDefined();
    const release = `fanhang-${runSuffix}`;
    const templateId = (await createTemplate(admin, demoTemplate(release, release))).id;
    await fault(hung, "hang");
    const started = Date.now();
    const { id } = await startRollout(
      admin,
      request(release, templateId, Object.values(ids), { tolerateFailures: 1, healthGate: { timeoutSeconds: 60 } }),
    );
    const others = <T extends { clusterName: string }>(rows: T[]) => rows.filter((t) => t.clusterName !== hung);
    // Until every other name has ended (the expectation below says how).
    let targets = await db().rolloutTarget.findMany({ where: { rolloutId: id } });
    for (const until = Date.now() + 120_000; Date.now() < until;) {
      targets = await db().rolloutTarget.findMany({ where: { rolloutId: id } });
      if (others(targets).every((t) => t.state === "succeeded" || t.state === "failed")) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const othersDoneMs = Date.now() - started;
    const rest = others(targets);
    expect(rest.map((t) => [t.clusterName, t.state, t.error]).sort()).toEqual(
      Object.keys(ids)
        .filter((name) => name !== hung)
        .map((name) => [name, "succeeded", null])
        .sort(),
    );
    // Each took its own time: apply and health gate, not the hung name's per-call deadlines and retries.
    for (const target of rest) {
      const ms = target.finishedAt!.getTime() - target.startedAt!.getTime();
      expect(ms, `${target.clusterName} took ${ms} ms`).toBeLessThan(20_000);
    }
    // ...while the hung name has not succeeded (its calls time out after 3 s and are retried).
    const stuck = targets.find((t) => t.clusterName === hung)!;
    expect(stuck.state, `the others were done after ${othersDoneMs} ms`).not.toBe("succeeded");
    // Nothing of this release reached the API server through the hung name.
    expect(Object.keys(appliesByAlias(release)).filter((key) => key.startsWith(`${hung} `))).toEqual([]);

    await controlRollout(admin, id, "abort");
    await fault(hung, "resume");
    await expect
      .poll(
        async () => (await db().rolloutTarget.findFirstOrThrow({ where: { rolloutId: id, clusterName: hung } })).state,
        {
          timeout: 60_000,
          interval: 500,
        },
      )
      .toMatch(/^(failed|skipped|succeeded)$/);
  }, 300_000);
});
