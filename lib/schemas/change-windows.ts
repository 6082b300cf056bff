import { z } from "zod";
import { labelSelectorSchema } from "./clusters";

/**
 * Change windows and freezes as an admin writes them (lib/server/access/change-windows.ts
 * decides with them). The cron expression is checked on the server too (cron-parser parses it
 * there); the time zone is checked here with the runtime's own IANA list, which the browser
 * and the server share.
 */

const selectorSchema = labelSelectorSchema.refine((value) => value.trim().length > 0, {
  message: "A cluster selector is required (for example env=prod)",
});

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const instantSchema = (field: string) =>
  z.iso.datetime({ offset: true, error: `${field} must be an ISO 8601 date-time with a zone (…Z or +hh:mm)` });

const nameSchema = z.string().trim().min(1, "Name is required").max(100, "Name is at most 100 characters");

export const changeWindowBodySchema = z.discriminatedUnion(
  "kind",
  [
    z
      .object({
        kind: z.literal("recurring"),
        name: nameSchema,
        clusterSelector: selectorSchema,
        /** Five fields (minute hour day-of-month month day-of-week), or six with seconds first. */
        cron: z.string().trim().min(1, "A cron expression is required").max(200),
        timeZone: z
          .string()
          .trim()
          .min(1, "A time zone is required (IANA, for example Europe/Berlin)")
          .refine(isTimeZone, "Not an IANA time zone (for example Europe/Berlin or UTC)"),
        durationMinutes: z
          .number({ error: "durationMinutes must be a number" })
          .int("durationMinutes must be a whole number")
          .min(1, "durationMinutes must be between 1 and 10080 (a week)")
          .max(10080, "durationMinutes must be between 1 and 10080 (a week)"),
      })
      .strict(),
    z
      .object({
        kind: z.literal("once"),
        name: nameSchema,
        clusterSelector: selectorSchema,
        startsAt: instantSchema("startsAt"),
        endsAt: instantSchema("endsAt"),
      })
      .strict()
      .refine((w) => Date.parse(w.endsAt) > Date.parse(w.startsAt), {
        path: ["endsAt"],
        message: "endsAt must be after startsAt",
      }),
  ],
  { error: 'kind must be "recurring" or "once"' },
);
export type ChangeWindowBody = z.infer<typeof changeWindowBodySchema>;

export const freezeBodySchema = z
  .object({
    name: nameSchema,
    clusterSelector: selectorSchema,
    startsAt: instantSchema("startsAt"),
    endsAt: instantSchema("endsAt"),
    reason: z.string().trim().min(1, "A reason is required").max(500, "The reason is at most 500 characters"),
  })
  .strict()
  .refine((f) => Date.parse(f.endsAt) > Date.parse(f.startsAt), {
    path: ["endsAt"],
    message: "endsAt must be after startsAt",
  });
export type FreezeBody = z.infer<typeof freezeBodySchema>;

/** An admin's override of the freezes for one rollout (rolloutRequestSchema.freezeOverride). */
export const freezeOverrideSchema = z
  .object({
    reason: z.string().trim().min(1, "An override needs a reason").max(500, "The reason is at most 500 characters"),
  })
  .strict();
