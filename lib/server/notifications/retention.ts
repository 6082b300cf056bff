import "server-only";
import { db } from "@/lib/server/db/client";

/** How long dispatched events, and with them their deliveries and the delivery log, are kept. */
export const NOTIFICATION_RETENTION_DAYS = 30;

/**
 * Removes events dispatched longer ago than the retention whose deliveries have all finished
 * (deliveries and attempts go with them, ON DELETE CASCADE). A delivery still pending keeps its
 * event, however old. Returns how many events went.
 */
export async function deleteOldNotifications(now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - NOTIFICATION_RETENTION_DAYS * 86_400_000);
  return db().$executeRaw`
    DELETE FROM notification_events e
    WHERE e.dispatched_at < ${before}
      AND NOT EXISTS (SELECT 1 FROM notification_deliveries d WHERE d.event_id = e.id AND d.state = 'pending')`;
}
