import "server-only";
import { deleteExpiredSessions } from "@/lib/server/auth/sessions";
import { deleteStaleThrottleBuckets } from "@/lib/server/auth/throttle";
import { logger } from "@/lib/server/log/logger";
import { deleteOldNotifications } from "@/lib/server/notifications/retention";
import { deleteExpiredSsoAttempts } from "@/lib/server/sso/sign-in-flow";

const INTERVAL_MS = 10 * 60_000;

/** Periodic clean-up of rows that expiry already made inert; returns a stop function. */
export function startMaintenance(): () => void {
  const run = async () => {
    try {
      const sessions = await deleteExpiredSessions();
      const buckets = await deleteStaleThrottleBuckets();
      const ssoAttempts = await deleteExpiredSsoAttempts();
      const notificationEvents = await deleteOldNotifications();
      if (sessions || buckets || ssoAttempts || notificationEvents)
        logger.info({ sessions, buckets, ssoAttempts, notificationEvents }, "maintenance removed expired rows");
    } catch (error) {
      logger.warn({ errorName: error instanceof Error ? error.name : "unknown" }, "maintenance run failed");
    }
  };
  void run();
  const timer = setInterval(run, INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
