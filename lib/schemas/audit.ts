import { z } from "zod";
import { isoDateSchema } from "./iso-date";
import { cursorSchema, pageSizeSchema, type Page } from "./paging";

export const AUDIT_RESULTS = ["success", "denied", "failure", "started"] as const;

export const listAuditQuerySchema = z
  .object({
    user: z.string().trim().max(254).optional(),
    action: z.string().trim().max(100).optional(),
    cluster: z.string().trim().max(63).optional(),
    /** Without it, `started` rows (written before each mutation runs) are left out: the outcome row says more. */
    result: z.enum(AUDIT_RESULTS, { error: 'result must be "success", "denied", "failure" or "started"' }).optional(),
    from: isoDateSchema("from").optional(),
    to: isoDateSchema("to").optional(),
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
