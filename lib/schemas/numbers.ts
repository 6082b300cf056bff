import { z } from "zod";

/** Integer columns are Postgres `integer`: anything past this is refused at the boundary (400 naming the field), never by the database (500). */
export const INT32_MAX = 2_147_483_647;
/** Postgres `bigint` (audit row ids). */
export const INT64_MAX = 9_223_372_036_854_775_807n;
/** Pages beyond this are refused: no list here has a billion rows. */
export const MAX_PAGE = 1_000_000;

/** A template revision number in a JSON body. */
export const revisionNumberSchema = (field: string) =>
  z
    .number({ error: `${field} must be a revision number` })
    .int(`${field} must be a revision number`)
    .min(1, `${field} must be a revision number`)
    .max(INT32_MAX, `${field} must be a revision number`);

/** A template revision number in a query string. */
export const revisionNumberQuerySchema = (field: string) =>
  z.coerce
    .number({ error: `${field} must be a revision number` })
    .int(`${field} must be a revision number`)
    .min(1, `${field} must be a revision number`)
    .max(INT32_MAX, `${field} must be a revision number`);

/** `page` of a paged list in a query string. */
export const pageQuerySchema = z.coerce
  .number({ error: "page must be a number" })
  .int("page must be a whole number")
  .min(1, "page must be 1 or more")
  .max(MAX_PAGE, `page must be at most ${MAX_PAGE}`)
  .default(1);

/** A decimal string id of a bigint column. */
export const bigintIdSchema = (field: string) =>
  z
    .string()
    .regex(/^\d{1,19}$/, `${field} must be a row id`)
    .refine((value) => BigInt(value) <= INT64_MAX, `${field} must be a row id`);
