import { z } from "zod";
import { cursorSchema, pageSizeSchema, type Page } from "./paging";

export const AUDIT_RESULTS = ["success", "denied", "failure", "started"] as const;

/**
 * An ISO 8601 date or date-time with a four-digit year (what the page's date fields send,
 * and what toISOString writes). Date.parse alone also takes "-1", "12/31/99999" or year
 * 200000, which Postgres' timestamptz cannot hold (a 500 from the database): the form is
 * checked, and the year kept within 0001-9999.
 */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const isoDate = (field: string) =>
  z
    .string()
    .refine(
      (value) => ISO_DATE.test(value) && !Number.isNaN(Date.parse(value)) && value.slice(0, 4) !== "0000",
      `${field} must be an ISO date or date-time (YYYY-MM-DD or YYYY-MM-DDThh:mm), years 0001-9999`,
    )
    .transform((value) => new Date(value));

export const listAuditQuerySchema = z
  .object({
    user: z.string().trim().max(254).optional(),
    action: z.string().trim().max(100).optional(),
    cluster: z.string().trim().max(63).optional(),
    /** Without it, `started` rows (written before each mutation runs) are left out: the outcome row says more. */
    result: z.enum(AUDIT_RESULTS, { error: 'result must be "success", "denied", "failure" or "started"' }).optional(),
    from: isoDate("from").optional(),
    to: isoDate("to").optional(),
    /** Keyset cursor (newest first, by id): the `nextCursor` of the previous page. */
    cursor: cursorSchema("audit", {
      // A bigint row id: digits only, and within Postgres' bigint (a larger one would fail in the database).
      id: z.string().refine((id) => /^\d{1,19}$/.test(id) && BigInt(id) <= 9_223_372_036_854_775_807n),
    }).optional(),
    pageSize: pageSizeSchema(500, 100),
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    path: ["to"],
    message: "to must not be before from",
  });
export type ListAuditQuery = z.infer<typeof listAuditQuerySchema>;

export interface AuditEventView {
  id: string;
  at: string;
  actorEmail: string | null;
  actorVia: string | null;
  action: string;
  target: { cluster: string | null; namespace: string | null; kind: string | null; name: string | null };
  result: (typeof AUDIT_RESULTS)[number];
  httpStatus: number | null;
  requestId: string | null;
  clientIp: string | null;
  details: unknown;
}

export interface AuditPage extends Page {
  events: AuditEventView[];
  /**
   * Mutations that started over ten minutes ago and have no outcome row (the database failed
   * between the two writes): how many, and the newest few. Not filtered, so none can hide.
   * On the first page only.
   */
  unfinished?: { total: number; newest: Array<{ id: string; at: string; action: string; requestId: string | null }> };
}
