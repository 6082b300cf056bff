import { z } from "zod";

/**
 * An ISO 8601 date or date-time with a four-digit year (what the pages' date fields send,
 * and what toISOString writes). Date.parse alone also takes "-1", "12/31/99999" or year
 * 200000, which Postgres' timestamptz cannot hold (a 500 from the database): the form is
 * checked, and the year kept within 0001-9999.
 */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export const isoDateSchema = (field: string) =>
  z
    .string()
    .refine(
      (value) => ISO_DATE.test(value) && !Number.isNaN(Date.parse(value)) && value.slice(0, 4) !== "0000",
      `${field} must be an ISO date or date-time (YYYY-MM-DD or YYYY-MM-DDThh:mm), years 0001-9999`,
    )
    .transform((value) => new Date(value));
