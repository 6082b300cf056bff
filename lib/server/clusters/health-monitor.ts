import "server-only";
import pLimit from "p-limit";
import pg from "pg";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import { probeCluster, type ProbeResult } from "@/lib/server/kube/probe";
import { classifyClusterError } from "@/lib/server/kube/errors";
import { transportFor } from "./connection";
import { recordProbe } from "./health";

/** Held by exactly one app instance at a time, so N instances do not check N times. */
const MONITOR_LOCK_KEY = 4_207_101;

export interface HealthMonitor {
  /** Runs one round now (used by tests and after registration). */
  checkAll(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Background health checks: every interval, every cluster, with bounded concurrency and a
 * per-cluster timeout, so one hanging cluster costs one slot for at most the timeout.
 */
export function startHealthMonitor(databaseUrl: string): HealthMonitor {
  const config = env();
  const limit = pLimit(config.ARCHIPELAGO_HEALTH_CONCURRENCY);
  // The advisory lock lives as long as this connection; losing the connection hands
  // leadership to another instance, and we compete again with a fresh connection.
  let lockClient: pg.Client | null = null;
  let leader = false;
  let stopped = false;
  let running: Promise<void> | null = null;

  const dropLock = () => {
    leader = false;
    const client = lockClient;
    lockClient = null;
    void client?.end().catch(() => undefined);
  };

  const ensureLeadership = async (): Promise<boolean> => {
    if (leader && lockClient) return true;
    if (!lockClient) {
      const client = new pg.Client({ connectionString: databaseUrl });
      client.on("error", dropLock);
      await client.connect();
      lockClient = client;
    }
    const { rows } = await lockClient.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [
      MONITOR_LOCK_KEY,
    ]);
    leader = rows[0]?.locked === true;
    return leader;
  };

  const checkOne = async (clusterId: string): Promise<void> => {
    let result: ProbeResult;
    try {
      result = await probeCluster(await transportFor(clusterId), config.ARCHIPELAGO_CLUSTER_TIMEOUT_MS);
    } catch (error) {
      // e.g. a credential that no longer decrypts: recorded as a failed check, never thrown.
      const classified = classifyClusterError(error);
      result = {
        ok: false,
        latencyMs: null,
        error: {
          code: classified.code,
          // A credential that does not open says so, naming the cluster and the key id (credential-vault.ts).
          message: classified.message,
        },
      };
    }
    await recordProbe(clusterId, result);
  };

  const checkAll = async (): Promise<void> => {
    const clusters = await db().cluster.findMany({ select: { id: true } });
    await Promise.all(
      clusters.map(({ id }) =>
        limit(() =>
          checkOne(id).catch((error: unknown) => {
            logger.warn(
              { clusterId: id, errorName: error instanceof Error ? error.name : "unknown" },
              "health check could not be recorded",
            );
          }),
        ),
      ),
    );
  };

  const tick = async () => {
    if (stopped || running) return;
    running = (async () => {
      try {
        if (await ensureLeadership()) await checkAll();
      } catch (error) {
        dropLock();
        logger.warn({ errorName: error instanceof Error ? error.name : "unknown" }, "health monitor round failed");
      } finally {
        running = null;
      }
    })();
    await running;
  };

  const timer = setInterval(() => void tick(), config.ARCHIPELAGO_HEALTH_INTERVAL_SECONDS * 1000);
  timer.unref();
  void tick();

  return {
    checkAll,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
      dropLock();
    },
  };
}
