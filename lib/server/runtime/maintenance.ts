import "server-only";
import { deleteExpiredSessions } from "@/lib/server/auth/sessions";
import { deleteStaleThrottleBuckets } from "@/lib/server/auth/throttle";
import { purgeTombstones } from "@/lib/server/inventory/collectors/retention";
import { logger } from "@/lib/server/log/logger";
import { purgeTimeline } from "@/lib/server/inventory/timeline/purge";
import { deleteOldNotifications } from "@/lib/server/notifications/retention";
import { deleteExpiredSsoAttempts } from "@/lib/server/sso/sign-in-flow";

const INTERVAL_MS = 10 * 60_000;

/** Periodic clean-up of rows that expiry already made inert (and timeline entries past retention); returns a stop function. */
export function startMaintenance(): () => void {
  const run = async () => {
    try {
      const sessions = await deleteExpiredSessions();
      const buckets = await deleteStaleThrottleBuckets();
      const ssoAttempts = await deleteExpiredSsoAttempts();
      const timelineEntries = await purgeTimeline(new Date());
      const tombstones = await purgeTombstones();
      const notificationEvents = await deleteOldNotifications();
      if (sessions || buckets || ssoAttempts || timelineEntries || tombstones || notificationEvents)
        logger.info(
          { sessions, buckets, ssoAttempts, timelineEntries, tombstones, notificationEvents },
          "maintenance removed expired rows",
        );
    } catch (error) {
      logger.warn({ errorName: error instanceof Error ? error.name : "unknown" }, "maintenance run failed");
    }
  };
  void run();
  const timer = setInterval(run, INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
