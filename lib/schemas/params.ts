import { z } from "zod";

/**
 * Schemas of path segments for `route({ params })`. A segment that does not fit is something
 * that does not exist: route() answers 404 "<what> not found", exactly like a well-formed id
 * that is unknown or hidden from the caller. The `what` travels as the schema's message.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_INT4 = 2_147_483_647;

/** A resource id (a UUID). */
export const idParam = (what: string) => z.string({ error: what }).regex(UUID, { error: what });

/**
 * A child id whose answer depends on a decision about its parent (a team's member or grant):
 * only typed here; the domain checks its form after the parent's decision, so a malformed
 * one answers exactly what an unknown one does (403 before 404 where the parent says so).
 */
export const segmentParam = (what: string) => z.string({ error: what });

/** One of a fixed set of words (a rollout action). */
export const oneOfParam = <const T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { error: what });

/** A positive whole number that fits a Postgres integer (a revision number). */
export const numberParam = (what: string) =>
  z
    .string({ error: what })
    .regex(/^[1-9]\d{0,9}$/, { error: what })
    .transform(Number)
    .refine((n) => n <= MAX_INT4, { error: what });
