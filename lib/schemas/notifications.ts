import { z } from "zod";

/**
 * The notification event catalogue (one home: the form, the API and the emitters use it).
 * Approval events: awaiting-approval at creation under a policy, approved (then started) when
 * the last approval lets it start, rejected on a rejection (rollouts/create.ts, approval.ts).
 */
export const NOTIFICATION_EVENT_TYPES = [
  "rollout.started",
  "rollout.wave-done",
  "rollout.health-gate-failed",
  "rollout.paused",
  "rollout.rolled-back",
  "rollout.succeeded",
  "rollout.failed",
  "rollout.awaiting-approval",
  "rollout.approved",
  "rollout.rejected",
  "drift.detected",
  "drift.healed",
  "cluster.unreachable",
] as const;
export type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number];

export const NOTIFICATION_EVENT_LABELS: Record<NotificationEventType, string> = {
  "rollout.started": "Rollout started",
  "rollout.wave-done": "Wave done",
  "rollout.health-gate-failed": "Health gate failed",
  "rollout.paused": "Rollout paused",
  "rollout.rolled-back": "Rollout rolled back",
  "rollout.succeeded": "Rollout succeeded",
  "rollout.failed": "Rollout failed",
  "rollout.awaiting-approval": "Rollout awaiting approval",
  "rollout.approved": "Rollout approved",
  "rollout.rejected": "Rollout rejected",
  "drift.detected": "Drift detected",
  "drift.healed": "Drift healed",
  "cluster.unreachable": "Cluster unreachable for N minutes",
};

export const NOTIFICATION_FORMATS = ["generic", "slack"] as const;
export type NotificationFormatValue = (typeof NOTIFICATION_FORMATS)[number];

export const webhookUrlSchema = z
  .string({ error: "URL is required" })
  .trim()
  .min(1, "URL is required")
  .max(2000, "URL must be at most 2000 characters")
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") && !url.username && !url.password;
    } catch {
      return false;
    }
  }, "Use an http:// or https:// URL without a user name or password");

export const createSubscriptionBodySchema = z
  .object({
    /** Null or absent: an admins' subscription (hears the whole fleet); admins only. */
    teamId: z.uuid({ error: "Choose a team" }).nullable().default(null),
    name: z.string({ error: "Name is required" }).trim().min(1, "Name is required").max(100, "Name is too long"),
    url: webhookUrlSchema,
    format: z.enum(NOTIFICATION_FORMATS, { error: 'Format must be "generic" or "slack"' }).default("generic"),
    eventTypes: z
      .array(z.enum(NOTIFICATION_EVENT_TYPES, { error: "Unknown event type" }), { error: "Choose event types" })
      .min(1, "Choose at least one event type")
      .max(NOTIFICATION_EVENT_TYPES.length),
    unreachableMinutes: z
      .number({ error: "Minutes must be a number" })
      .int("Minutes must be a whole number")
      .min(1, "At least 1 minute")
      .max(1440, "At most 1440 minutes (a day)")
      .default(5),
  })
  .strict();
export type CreateSubscriptionBody = z.infer<typeof createSubscriptionBodySchema>;

/**
 * One cluster's part of an event: a subscriber receives only the parts it can see. `places`
 * (outbox only, never delivered): the namespaces the subject writes to there (null:
 * cluster-scoped); absent or empty when the part is about the cluster as a whole.
 */
export const eventClusterPartSchema = z
  .object({
    clusterId: z.uuid(),
    clusterName: z.string(),
    places: z.array(z.object({ namespace: z.string().nullable() })).optional(),
  })
  .catchall(z.unknown());
export type EventClusterPart = z.infer<typeof eventClusterPartSchema>;

/** The outbox payload: facts about the subject plus per-cluster parts. */
export const storedEventPayloadSchema = z.object({
  subject: z.record(z.string(), z.unknown()),
  clusters: z.array(eventClusterPartSchema),
});
export type StoredEventPayload = z.infer<typeof storedEventPayloadSchema>;
