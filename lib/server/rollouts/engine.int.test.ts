import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { loadAccessProfile } from "@/lib/server/access/profile";
import type { AccessProfile } from "@/lib/server/access/policy";
import { deleteCluster } from "@/lib/server/clusters/update";
import { db } from "@/lib/server/db/client";
import { isAppError } from "@/lib/server/errors/app-error";
import { refOf, type ObjectRef } from "@/lib/server/templates/desired";
import type { ApplyOptions, ObjectHealth, ObjectOutcome, ReleaseExecutor } from "@/lib/server/releases/executor";
import type { Manifest } from "@/lib/server/templates/documents";
import { resetDatabase } from "@/lib/testing/reset-database";
import { DEMO_SCHEMA, demoTemplate } from "@/lib/testing/rollout-fixtures";
import { createTestUser } from "@/lib/testing/users";
import { controlRollout } from "./control";
import { advance, MAX_TARGET_ATTEMPTS, rollbackTarget, runTarget } from "./engine";
import { getRollout } from "./queries";
import { logger } from "@/lib/server/log/logger";
import { ROLLOUT_STATES, TARGET_TRANSITIONS, TRANSITIONS, TransitionError } from "./state-machine";
import { handBack, LostClaimError, recordTargetStep } from "./target-steps";
import { instanceId } from "@/lib/server/jobs/queue";
import { holdForRollout } from "@/lib/server/releases/writers";
import { sweep } from "./worker";

/**
 * The state machine against real Postgres with a fake cluster transport: the executor is the
 * engine's only door to clusters (a dependency, not the system under test), so these tests
 * drive every edge deterministically: no queue, no timers; each worker step is called by hand.
 */

class FakeExecutor implements ReleaseExecutor {
  applies = new Map<string, number>();
  failApplyOn = new Set<string>();
  throwOn = new Set<string>();
  unhealthyOn = new Set<string>();
  forbiddenOn = new Set<string>();
  healthThrowsOn = new Set<string>();
  /** Runs inside a health read: lets a test end the target under the worker's feet. */
  duringHealth?: () => Promise<void>;
  /** Runs inside apply (after the "cluster" accepted it): lets a test pause mid-step. */
  duringApply?: (clusterId: string) => Promise<void>;
  /** The next N writes (applies and deletes) find the cluster refusing connections. */
  refuseNextWrites = 0;
  /** Apply hits a bug of ours (a real TypeError, as from reading a property of undefined). */
  bugOn = new Set<string>();

  private refused() {
    if (this.refuseNextWrites <= 0) return false;
    this.refuseNextWrites -= 1;
    return true;
  }

  async apply(clusterId: string, manifests: Manifest[], options: ApplyOptions): Promise<ObjectOutcome[]> {
    if (this.throwOn.has(clusterId)) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    if (!options.dryRun && this.refused())
      throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    if (this.bugOn.has(clusterId)) (undefined as unknown as { spec: { replicas: number } }).spec.replicas += 1;
    if (!options.dryRun) this.applies.set(clusterId, (this.applies.get(clusterId) ?? 0) + 1);
    await this.duringApply?.(clusterId);
    if (this.forbiddenOn.has(clusterId))
      return manifests.map((m) => ({
        ref: refOf(m),
        action: "forbidden" as const,
        error: "The cluster refused this object (403)",
      }));
    return manifests.map((m) =>
      this.failApplyOn.has(clusterId)
        ? { ref: refOf(m), action: "invalid" as const, error: "rejected by the fake" }
        : { ref: refOf(m), action: "created" as const },
    );
  }
  async read(_clusterId: string, refs: ObjectRef[]) {
    return refs.map(() => null);
  }
  async deleteOwned(): Promise<ObjectOutcome[]> {
    if (this.refused()) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    return [];
  }
  async health(clusterId: string, refs: ObjectRef[]): Promise<ObjectHealth[]> {
    await this.duringHealth?.();
    if (this.healthThrowsOn.has(clusterId)) throw Object.assign(new Error("connect ETIMEDOUT"), { code: "ETIMEDOUT" });
    return refs.map((ref) => ({ ref, health: this.unhealthyOn.has(clusterId) ? "failed" : "ready" }));
  }
  async waitForChange(): Promise<void> {}
}

let admin: AccessProfile;
let fake: FakeExecutor;
let revisionId: string;
let releaseId: string;

async function cluster(name: string) {
  return db().cluster.create({
    data: { name, server: "https://127.0.0.1:1", authType: "token", credentialEnvelope: {} },
    select: { id: true, name: true },
  });
}

/** A rollout as startRollout writes it: waves of targets, with where each writes. */
async function rollout(
  waves: string[][],
  options: { tolerateFailures?: number; autoRollback?: boolean; gateSeconds?: number } = {},
) {
  const names = new Map((await db().cluster.findMany({ select: { id: true, name: true } })).map((c) => [c.id, c.name]));
  const created = await db().rollout.create({
    data: {
      createdById: admin.userId,
      releaseId,
      revisionId,
      params: { image: "registry.local/demo:1.0", replicas: 1, namespace: "team-a", greeting: "hello" },
      strategy: { kind: "waves", batchSize: 1, canaryClusterIds: [], bakeSeconds: 0 },
      healthGate: { timeoutSeconds: options.gateSeconds ?? 30 },
      tolerateFailures: options.tolerateFailures ?? 0,
      autoRollback: options.autoRollback ?? false,
      createdByEmail: "admin@example.com",
      waves: { create: waves.map((_, index) => ({ index })) },
      targets: {
        create: waves.flatMap((ids, waveIndex) =>
          ids.map((clusterId) => ({
            clusterId,
            clusterName: names.get(clusterId)!,
            waveIndex,
            scope: [{ namespace: "team-a", level: "deploy" }],
          })),
        ),
      },
    },
  });
  // As startRollout does: the rollout holds its clusters (one writer per release and cluster).
  await db().$transaction((tx) =>
    holdForRollout(tx, { releaseId, rolloutId: created.id, clusterIds: waves.flat(), label: `rollout ${created.id}` }),
  );
  await advance(created.id);
  return created.id;
}

const targetsOf = async (rolloutId: string) =>
  Object.fromEntries((await db().rolloutTarget.findMany({ where: { rolloutId } })).map((t) => [t.clusterName, t]));
const stateOf = async (rolloutId: string) =>
  (await db().rollout.findUniqueOrThrow({ where: { id: rolloutId }, select: { state: true } })).state;

/** One worker pass over every target of the rollout in wave order, as the queue would run them. */
async function work(rolloutId: string) {
  const targets = await db().rolloutTarget.findMany({ where: { rolloutId }, orderBy: [{ waveIndex: "asc" }] });
  for (const { id } of targets) {
    const { state } = await db().rolloutTarget.findUniqueOrThrow({ where: { id }, select: { state: true } });
    if (state === "rolling_back") await rollbackTarget(id, fake);
    else await runTarget(id, fake).catch(() => undefined);
  }
}

/**
 * Every state move the engine, the controls and the sweep make in these scenarios, as seen at
 * the database: each update that sets a state is recorded as (state before → state set) per
 * row it touched. The last test checks them against the state table (state-machine.ts).
 */
const moves = { rollout: new Set<string>(), target: new Set<string>() };
const observed = globalThis as unknown as { archipelagoDb?: ReturnType<typeof db> };
let unobserved: ReturnType<typeof db>;

beforeAll(() => {
  unobserved = db();
  const record = (model: "rollout" | "target") =>
    async function recordMove({ args, query }: { args: unknown; query: (args: unknown) => Promise<unknown> }) {
      const { where, data } = args as { where: object; data?: { state?: unknown } };
      if (typeof data?.state !== "string") return query(args);
      const rows =
        model === "rollout"
          ? await unobserved.rollout.findMany({ where, select: { state: true } })
          : await unobserved.rolloutTarget.findMany({ where, select: { state: true } });
      const result = await query(args);
      for (const row of rows) if (row.state !== data.state) moves[model].add(`${row.state} -> ${data.state}`);
      return result;
    };
  observed.archipelagoDb = unobserved.$extends({
    query: {
      rollout: { update: record("rollout"), updateMany: record("rollout") },
      rolloutTarget: {
        update: record("target"),
        updateMany: record("target"),
        updateManyAndReturn: record("target"),
      },
    },
  }) as unknown as ReturnType<typeof db>;
});

afterAll(() => {
  observed.archipelagoDb = unobserved;
});

beforeEach(async () => {
  await resetDatabase();
  fake = new FakeExecutor();
  const user = await createTestUser({ isAdmin: true, email: "admin@example.com" });
  admin = await loadAccessProfile({ user, via: "session" });
  const demo = demoTemplate("engine", "engine");
  const template = await db().template.create({
    data: {
      name: demo.name,
      revisions: {
        create: { number: 1, schema: DEMO_SCHEMA, body: demo.body, overrides: [], authorEmail: "admin@example.com" },
      },
    },
    include: { revisions: true },
  });
  revisionId = template.revisions[0]!.id;
  releaseId = (await db().release.create({ data: { name: "engine", templateId: template.id } })).id;
});

describe("pause, resume, abort", () => {
  it("a pause during a wave stops queued targets from starting: nothing reaches their clusters until resume", async () => {
    const [a, b] = [await cluster("a"), await cluster("b")];
    const id = await rollout([[a.id, b.id]]);
    expect(Object.values(await targetsOf(id)).map((t) => t.state)).toEqual(["queued", "queued"]);
    await controlRollout(admin, id, "pause");
    await work(id);
    expect(fake.applies.size).toBe(0);
    expect((await targetsOf(id)).a!.state).toBe("queued");
    const view = await getRollout(admin, id);
    expect(view.targets.map((t) => t.pause)).toEqual([
      "not started: waits for resume",
      "not started: waits for resume",
    ]);

    await controlRollout(admin, id, "resume");
    await work(id);
    expect(await stateOf(id)).toBe("succeeded");
    expect([...fake.applies.values()]).toEqual([1, 1]);
  });

  it("a target mid-apply finishes its apply, then waits before its health gate; resume continues there, applying nothing twice", async () => {
    const a = await cluster("a");
    const id = await rollout([[a.id]]);
    fake.duringApply = async () => {
      fake.duringApply = undefined;
      await controlRollout(admin, id, "pause");
    };
    await work(id);
    const caught = (await targetsOf(id)).a!;
    expect(caught.state).toBe("gating");
    expect(caught.claimedBy).toBeNull();
    expect((await getRollout(admin, id)).targets[0]!.pause).toBe("applied: waits before its health gate");
    await controlRollout(admin, id, "resume");
    await work(id);
    expect(await stateOf(id)).toBe("succeeded");
    expect(fake.applies.get(a.id)).toBe(1);
  });

  it("pause twice, resume a running rollout, abort a finished one: 409 each, nothing changed", async () => {
    const a = await cluster("a");
    const id = await rollout([[a.id]]);
    const status = (error: unknown) => (isAppError(error) ? error.status : 500);
    await expect(controlRollout(admin, id, "resume").catch(status)).resolves.toBe(409);
    await controlRollout(admin, id, "pause");
    await expect(controlRollout(admin, id, "pause").catch(status)).resolves.toBe(409);
    await controlRollout(admin, id, "abort");
    await expect(controlRollout(admin, id, "abort").catch(status)).resolves.toBe(409);
    expect(await stateOf(id)).toBe("aborted");
    expect((await targetsOf(id)).a!.state).toBe("skipped");
    expect(fake.applies.size).toBe(0);
  });

  it("abort while a target is in its health gate: that one runs to a recorded outcome, the next wave is skipped, the release is let go", async () => {
    const [a, b] = [await cluster("a"), await cluster("b")];
    const id = await rollout([[a.id], [b.id]]);
    const target = (await targetsOf(id)).a!;
    fake.duringHealth = async () => {
      fake.duringHealth = undefined;
      await controlRollout(admin, id, "abort");
    };
    await runTarget(target.id, fake);
    const targets = await targetsOf(id);
    // The read in flight when the abort came passed the gate: recorded as such, with its step.
    expect(targets.a!.state).toBe("succeeded");
    expect(await db().rolloutEvent.count({ where: { targetId: target.id, step: "target.succeeded" } })).toBe(1);
    expect(targets.b!.state).toBe("skipped");
    expect(await stateOf(id)).toBe("aborted");
    expect(fake.applies.get(b.id)).toBeUndefined();
    // Everything has ended: the release is free again.
    expect(await db().releaseWriter.count({ where: { holderId: id } })).toBe(0);
  });

  it("abort during a rollback is refused: the rollback finishes", async () => {
    const a = await cluster("a");
    fake.failApplyOn.add(a.id);
    const id = await rollout([[a.id]], { autoRollback: true });
    await runTarget((await targetsOf(id)).a!.id, fake);
    expect(await stateOf(id)).toBe("rolling_back");
    await expect(controlRollout(admin, id, "abort")).rejects.toMatchObject({ status: 409 });
    await work(id);
    expect(await stateOf(id)).toBe("rolled_back");
  });
});

describe("failure policy", () => {
  it("tolerate 1: one failing cluster is tolerated and the next wave starts; a second failure stops the rollout", async () => {
    const [a, b, c, d] = [await cluster("a"), await cluster("b"), await cluster("c"), await cluster("d")];
    fake.unhealthyOn.add(a.id);
    fake.failApplyOn.add(c.id);
    const id = await rollout([[a.id, b.id], [c.id], [d.id]], { tolerateFailures: 1 });
    await work(id);
    const targets = await targetsOf(id);
    expect(targets.a!.state).toBe("failed");
    expect(targets.b!.state).toBe("succeeded");
    // The next wave started despite a's failure (tolerated), and c's failure was one too many.
    expect(fake.applies.get(c.id)).toBe(1);
    expect(targets.c!.state).toBe("failed");
    expect(await stateOf(id)).toBe("failed");
    expect(targets.d!.state).toBe("skipped");
    expect(fake.applies.get(d.id)).toBeUndefined();
  });

  it("the last target failing fails the rollout; with auto-rollback its wave is rolled back", async () => {
    const [a, b] = [await cluster("a"), await cluster("b")];
    const plain = await rollout([[a.id], [b.id]]);
    fake.failApplyOn.add(b.id);
    await work(plain);
    await work(plain);
    expect(await stateOf(plain)).toBe("failed");
    const rolled = await rollout([[a.id], [b.id]], { autoRollback: true });
    await work(rolled);
    await work(rolled);
    await work(rolled);
    expect(await stateOf(rolled)).toBe("rolled_back");
    expect((await targetsOf(rolled)).b!.state).toBe("rolled_back");
    expect((await targetsOf(rolled)).a!.state).toBe("succeeded");
  });

  it("auto-rollback puts back every target of the failed wave, the succeeded ones too", async () => {
    const [a, b] = [await cluster("a"), await cluster("b")];
    fake.failApplyOn.add(b.id);
    const id = await rollout([[a.id, b.id]], { autoRollback: true });
    await work(id);
    await work(id);
    expect(await stateOf(id)).toBe("rolled_back");
    expect(Object.values(await targetsOf(id)).map((t) => t.state)).toEqual(["rolled_back", "rolled_back"]);
  });
});

describe("no hang, no swallowed error", () => {
  it("a cluster deleted under a rollout: deleting is refused while it is in flight; a vanished row fails its target with the reason", async () => {
    const [a, b] = [await cluster("a"), await cluster("b")];
    const id = await rollout([[a.id, b.id]], { tolerateFailures: 1 });
    await expect(deleteCluster(a.id)).rejects.toMatchObject({ status: 409, message: expect.stringContaining(id) });
    await db().cluster.delete({ where: { id: a.id } });
    await work(id);
    const targets = await targetsOf(id);
    expect(targets.a!.state).toBe("failed");
    expect(targets.a!.error).toMatch(/cluster was deleted/);
    expect(await stateOf(id)).toBe("succeeded");
  });

  it("every caught error is a step on the target; after the last attempt the target fails with the reason", async () => {
    const a = await cluster("a");
    fake.throwOn.add(a.id);
    const id = await rollout([[a.id]]);
    for (let attempt = 0; attempt < MAX_TARGET_ATTEMPTS; attempt += 1) await work(id);
    const steps = await db().rolloutEvent.findMany({ where: { rolloutId: id }, orderBy: { id: "asc" } });
    expect(steps.filter((s) => s.step.startsWith("target.attempt-failed.")).map((s) => s.details)).toHaveLength(
      MAX_TARGET_ATTEMPTS,
    );
    const target = (await targetsOf(id)).a!;
    expect(target.state).toBe("failed");
    expect(target.error).toMatch(/Gave up after 5 attempts: Connection refused/);
    expect(await stateOf(id)).toBe("failed");
  });

  it("two workers racing on one target apply it once", async () => {
    const a = await cluster("a");
    const id = await rollout([[a.id]]);
    const target = (await targetsOf(id)).a!;
    await Promise.all([runTarget(target.id, fake), runTarget(target.id, fake), runTarget(target.id, fake)]);
    expect(fake.applies.get(a.id)).toBe(1);
    expect(await stateOf(id)).toBe("succeeded");
    expect(await db().rolloutEvent.count({ where: { targetId: target.id, step: "target.applied" } })).toBe(1);
  });

  it("a stored strategy that does not parse fails its rollout with a plain reason", async () => {
    const a = await cluster("a");
    const b = await cluster("b");
    const id = await rollout([[a.id], [b.id]]);
    await db().rollout.update({ where: { id }, data: { strategy: { kind: "sideways" } } });
    await advance(id);
    const row = await db().rollout.findUniqueOrThrow({ where: { id } });
    expect(row.state).toBe("failed");
    expect(row.message).toMatch(/stored strategy is not valid/);
  });

  it("a crash right after an apply (the step is on record) is resumed without applying again", async () => {
    const a = await cluster("a");
    const id = await rollout([[a.id]]);
    const target = (await targetsOf(id)).a!;
    // The worker applied and recorded the step, then died holding its claim.
    await runTarget(target.id, fake);
    // Test setup, not a move of the engine: written past the observer.
    await unobserved.rolloutTarget.update({
      where: { id: target.id },
      data: { state: "queued", claimedBy: null, finishedAt: null },
    });
    await unobserved.rollout.update({ where: { id }, data: { state: "running", finishedAt: null } });
    await runTarget(target.id, fake);
    expect(fake.applies.get(a.id)).toBe(1);
  });

  it("a worker that lost its claim (the sweep ended its target) writes nothing over that outcome", async () => {
    const a = await cluster("a");
    const id = await rollout([[a.id]]);
    const target = (await targetsOf(id)).a!;
    fake.duringHealth = async () => {
      fake.duringHealth = undefined;
      await unobserved.rolloutTarget.update({
        where: { id: target.id },
        data: { state: "failed", claimedBy: null, error: "ended by the sweep" },
      });
    };
    await runTarget(target.id, fake);
    const after = (await targetsOf(id)).a!;
    expect(after.state).toBe("failed");
    expect(after.error).toBe("ended by the sweep");
    expect(await db().rolloutEvent.count({ where: { targetId: target.id, step: "target.succeeded" } })).toBe(0);
    expect(await db().releaseCluster.count({ where: { clusterId: a.id } })).toBe(0);
  });

  it("rolling back a target that failed before applying anything keeps the release's record of that cluster", async () => {
    const a = await cluster("a");
    const first = await rollout([[a.id]]);
    await work(first);
    expect(await stateOf(first)).toBe("succeeded");
    fake.throwOn.add(a.id);
    const second = await rollout([[a.id]], { autoRollback: true });
    for (let attempt = 0; attempt < MAX_TARGET_ATTEMPTS; attempt += 1) await work(second);
    await work(second);
    expect(await stateOf(second)).toBe("rolled_back");
    expect(await db().releaseCluster.count({ where: { releaseId, clusterId: a.id } })).toBe(1);
  });

  it("a render that now lands outside what the start checked (a variable changed) fails instead of writing there", async () => {
    const a = await cluster("a");
    const id = await rollout([[a.id]]);
    // As if an admin changed what the template renders into after the start's checks.
    await db().rollout.update({
      where: { id },
      data: { params: { image: "registry.local/demo:1.0", replicas: 1, namespace: "platform", greeting: "hello" } },
    });
    await work(id);
    const target = (await targetsOf(id)).a!;
    expect(target.state).toBe("failed");
    expect(target.error).toMatch(/renders into platform, outside what was checked/);
    expect(fake.applies.get(a.id)).toBeUndefined();
  });

  it("a crash between any two writes of a target's step (every later write fails, as in a dead process) is recovered by the sweep: no step twice, nothing applied after its step is on record", async () => {
    const base = db();
    const holder = globalThis as unknown as { archipelagoDb?: unknown };
    const WRITES = new Set(["create", "createMany", "update", "updateMany", "upsert", "delete", "deleteMany"]);
    let crashed = 0;
    for (let crashAt = 1; ; crashAt += 1) {
      await resetDatabase();
      fake = new FakeExecutor();
      admin = await loadAccessProfile({
        user: await createTestUser({ isAdmin: true, email: "admin@example.com" }),
        via: "session",
      });
      const template = await db().template.create({
        data: {
          name: "crash",
          revisions: {
            create: {
              number: 1,
              schema: DEMO_SCHEMA,
              body: demoTemplate("crash", "crash").body,
              overrides: [],
              authorEmail: "admin@example.com",
            },
          },
        },
        include: { revisions: true },
      });
      revisionId = template.revisions[0]!.id;
      releaseId = (await db().release.create({ data: { name: "crash", templateId: template.id } })).id;
      const a = await cluster("a");
      const id = await rollout([[a.id]]);
      const targetId = (await targetsOf(id)).a!.id;

      // The process "dies" just before its crashAt-th write: that write and every later one never
      // happen (the worker's own error handler cannot record anything either), as with kill -9.
      let writes = 0;
      let appliedWhenCrashed = false;
      holder.archipelagoDb = base.$extends({
        query: {
          $allOperations: async ({ operation, args, query }) => {
            if (WRITES.has(operation) && ++writes >= crashAt) {
              if (writes === crashAt) appliedWhenCrashed = fake.applies.size > 0;
              throw new Error("simulated crash");
            }
            return query(args);
          },
        },
      });
      try {
        await runTarget(targetId, fake).catch(() => undefined);
      } finally {
        holder.archipelagoDb = base;
      }
      if (writes < crashAt) break; // the step finished before the crash point: every point is covered
      // Dead: the worker wrote nothing from its crash point on (not even its own error handling).
      expect(writes, `crash before write ${crashAt}`).toBeGreaterThanOrEqual(crashAt);
      crashed += 1;
      const stepOnRecord = await db().rolloutEvent.count({ where: { targetId, step: "target.applied" } });
      // Recovery: the sweep finds the dead instance's claim (no heartbeat) and hands the target back; a worker runs it.
      await sweep();
      await advance(id);
      for (let pass = 0; pass < 3 && (await stateOf(id)) === "running"; pass += 1) await work(id);
      expect(await stateOf(id), `crash before write ${crashAt}`).toBe("succeeded");
      expect(await db().rolloutEvent.count({ where: { targetId, step: "target.applied" } })).toBe(1);
      expect(await db().rolloutEvent.count({ where: { targetId, step: "target.succeeded" } })).toBe(1);
      // Applied again only if the crash hit between the apply and its step's record (server-side apply is idempotent).
      expect(fake.applies.get(a.id), `crash before write ${crashAt}`).toBe(
        stepOnRecord === 0 && appliedWhenCrashed ? 2 : 1,
      );
    }
    expect(crashed).toBeGreaterThan(5);
  });

  it("access revoked while the rollout targets a cluster (it answers 403): that target fails with the reason, the others go on", async () => {
    const [a, b] = [await cluster("a"), await cluster("b")];
    fake.forbiddenOn.add(a.id);
    const id = await rollout([[a.id, b.id]], { tolerateFailures: 1 });
    await work(id);
    const targets = await targetsOf(id);
    expect(targets.a!.state).toBe("failed");
    expect(targets.a!.error).toMatch(/refused this object \(403\)/);
    expect(targets.b!.state).toBe("succeeded");
    expect(await stateOf(id)).toBe("succeeded");
  });

  it("a cluster that stops answering during the health gate fails its target at the gate's deadline, with the reason", async () => {
    const a = await cluster("a");
    fake.healthThrowsOn.add(a.id);
    const id = await rollout([[a.id]], { gateSeconds: 1 });
    const started = Date.now();
    await work(id);
    expect(Date.now() - started).toBeLessThan(20_000);
    const target = (await targetsOf(id)).a!;
    expect(target.state).toBe("failed");
    expect(target.error).toMatch(
      /Health gate timed out after 1 s: the cluster did not answer: The connection timed out/,
    );
    expect(await stateOf(id)).toBe("failed");
  });

  it("a rollback step ended by the sweep (it hung) is counted: the rollout fails with the reason, never rolled_back", async () => {
    const a = await cluster("a");
    fake.failApplyOn.add(a.id);
    const id = await rollout([[a.id]], { autoRollback: true, gateSeconds: 1 });
    await work(id);
    expect(await stateOf(id)).toBe("rolling_back");
    // A worker that still beats took the rollback step and hung past the bound (gate + 10 minutes).
    await db().appInstance.upsert({
      where: { id: "hung" },
      create: { id: "hung" },
      update: { heartbeatAt: new Date() },
    });
    await db().rolloutTarget.updateMany({
      where: { rolloutId: id },
      data: { claimedBy: "hung", claimedAt: new Date(Date.now() - 60 * 60_000) },
    });
    await sweep();
    const row = await db().rollout.findUniqueOrThrow({ where: { id } });
    expect(row.state).toBe("failed");
    expect(row.message).toMatch(
      /1 cluster\(s\) could not be rolled back: a: No progress for 10 minutes \(rolling back\); ended by the sweep/,
    );
    expect(await db().rolloutEvent.count({ where: { rolloutId: id, step: "target.ended-stuck" } })).toBe(1);
    expect(await db().rolloutEvent.count({ where: { rolloutId: id, step: "rollout.rollback-failed" } })).toBe(1);
    // It has ended: the release is free again (a new rollout may start).
    expect(await db().releaseWriter.count({ where: { holderId: id } })).toBe(0);
  });

  it("four apply tries leave the rollback its full tries: attempts are counted per phase", async () => {
    const a = await cluster("a");
    fake.unhealthyOn.add(a.id);
    fake.refuseNextWrites = MAX_TARGET_ATTEMPTS - 1;
    const id = await rollout([[a.id]], { autoRollback: true });
    for (let attempt = 0; attempt < MAX_TARGET_ATTEMPTS; attempt += 1) await work(id);
    expect(await stateOf(id)).toBe("rolling_back");
    const target = (await targetsOf(id)).a!;
    fake.refuseNextWrites = MAX_TARGET_ATTEMPTS - 1;
    for (let attempt = 0; attempt < MAX_TARGET_ATTEMPTS; attempt += 1)
      await rollbackTarget(target.id, fake).catch(() => undefined);
    expect(await stateOf(id)).toBe("rolled_back");
    const steps = (await db().rolloutEvent.findMany({ where: { targetId: target.id } })).map((e) => e.step);
    expect(steps.filter((step) => step.startsWith("target.attempt-failed."))).toHaveLength(MAX_TARGET_ATTEMPTS - 1);
    expect(steps.filter((step) => step.startsWith("target.rollback-attempt-failed."))).toHaveLength(
      MAX_TARGET_ATTEMPTS - 1,
    );
    expect(steps).toContain("target.rolled-back");
  });

  it("a rollback whose objects the cluster refuses fails that target's rollback and the rollout, with the reason, never rolled_back", async () => {
    const a = await cluster("a");
    const first = await rollout([[a.id]]);
    await work(first);
    expect(await stateOf(first)).toBe("succeeded");
    fake.unhealthyOn.add(a.id);
    const id = await rollout([[a.id]], { autoRollback: true });
    await work(id);
    expect(await stateOf(id)).toBe("rolling_back");
    // Putting the previous revision back: the cluster refuses every object (403).
    fake.forbiddenOn.add(a.id);
    await work(id);
    const target = (await targetsOf(id)).a!;
    expect(target.state).toBe("failed");
    expect(target.error).toMatch(/rollback notes: .*refused this object \(403\)/);
    const ended = await db().rollout.findUniqueOrThrow({ where: { id } });
    expect(ended.state).toBe("failed");
    expect(ended.message).toMatch(/1 cluster\(s\) could not be rolled back: a: .*\(403\)/);
    const steps = (await db().rolloutEvent.findMany({ where: { targetId: target.id } })).map((e) => e.step);
    expect(steps).toContain("target.rollback-failed");
    expect(steps).not.toContain("target.rolled-back");
  });

  it("a move off the state table by the worker that holds the target is a TransitionError, never a silent no-op or a lost claim", async () => {
    const a = await cluster("a");
    const id = await rollout([[a.id]]);
    await work(id);
    const target = (await targetsOf(id)).a!;
    expect(target.state).toBe("succeeded");
    // Still held by this instance (as a worker that has not let go yet would be).
    await db().rolloutTarget.update({ where: { id: target.id }, data: { claimedBy: instanceId() } });
    await expect(recordTargetStep(target.id, { state: "gating" }, id, "target.bogus")).rejects.toBeInstanceOf(
      TransitionError,
    );
    await expect(handBack(target.id, "queued")).rejects.toBeInstanceOf(TransitionError);
    // Held by someone else: the claim is lost, stop quietly.
    await db().rolloutTarget.update({ where: { id: target.id }, data: { claimedBy: "another-instance" } });
    await expect(recordTargetStep(target.id, { state: "gating" }, id, "target.bogus")).rejects.toBeInstanceOf(
      LostClaimError,
    );
    const after = (await targetsOf(id)).a!;
    expect(after.state).toBe("succeeded");
    expect(await db().rolloutEvent.count({ where: { targetId: target.id, step: "target.bogus" } })).toBe(0);
  });

  it("an engine bug (a thrown TypeError) is logged with its name and stack, and the target says internal error", async () => {
    const a = await cluster("a");
    fake.bugOn.add(a.id);
    const errors = vi.spyOn(logger, "error");
    try {
      const id = await rollout([[a.id]]);
      await work(id);
      const target = (await targetsOf(id)).a!;
      expect(target.state).toBe("failed");
      expect(target.error).toMatch(/^internal error \(TypeError\)/);
      expect(target.error).not.toMatch(/request to the cluster failed/);
      const logged = errors.mock.calls.map(([fields]) => fields as Record<string, unknown>);
      const line = logged.find((fields) => fields.event === "rollout.target.attempt_failed");
      expect(line).toMatchObject({ code: "internal", errorName: "TypeError", targetId: target.id });
      expect(String(line!.stack)).toMatch(/^\s+at .*engine\.int\.test\.ts/);
      // Frames only: never the message, which may quote a value.
      expect(String(line!.stack)).not.toMatch(/Cannot read/);
      const attempt = await db().rolloutEvent.findFirstOrThrow({
        where: { targetId: target.id, step: "target.attempt-failed.1" },
      });
      expect(attempt.details).toMatchObject({ code: "internal", reason: "internal error" });
      // A bug does not get better by retrying against the cluster: one attempt, then the target ends.
      expect(await stateOf(id)).toBe("failed");
    } finally {
      errors.mockRestore();
    }
  });
});

describe("the state table drives the engine", () => {
  it("every move the engine, controls and sweep made in the scenarios above is an edge of the table", () => {
    // The approval edges are driven (against this same table) by approval.int.test.ts, with real clusters.
    const rolloutEdges = new Set(
      ROLLOUT_STATES.filter((from) => from !== "awaiting_approval").flatMap((from) =>
        Object.values(TRANSITIONS[from]).map((to) => `${from} -> ${to}`),
      ),
    );
    const targetEdges = new Set(
      Object.entries(TARGET_TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from} -> ${to}`)),
    );
    expect([...moves.rollout].filter((move) => !rolloutEdges.has(move))).toEqual([]);
    expect([...moves.target].filter((move) => !targetEdges.has(move))).toEqual([]);
    // The scenarios exercise the table, not a corner of it.
    expect([...moves.rollout].sort()).toEqual([...rolloutEdges].sort());
    expect([...moves.target].sort()).toEqual([...targetEdges].sort());
  });
});
