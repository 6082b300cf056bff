import { z } from "zod";
import { bigintIdSchema } from "./numbers";

const isoDate = (field: string) =>
  z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)), `${field} must be an ISO date or date-time`)
    .transform((value) => new Date(value));

export const listAuditQuerySchema = z.object({
  user: z.string().trim().max(254).optional(),
  action: z.string().trim().max(100).optional(),
  cluster: z.string().trim().max(63).optional(),
  result: z
    .enum(["success", "denied", "failure"], { error: 'result must be "success", "denied" or "failure"' })
    .optional(),
  from: isoDate("from").optional(),
  to: isoDate("to").optional(),
  /** Keyset cursor: the id of the last row of the previous page. */
  before: bigintIdSchema("before").optional(),
  limit: z.coerce
    .number({ error: "limit must be a number" })
    .int()
    .min(1, "limit must be 1 or more")
    .max(500, "limit must be at most 500")
    .default(100),
});
export type ListAuditQuery = z.infer<typeof listAuditQuerySchema>;

export interface AuditEventView {
  id: string;
  at: string;
  actorEmail: string | null;
  actorVia: string | null;
  action: string;
  target: { cluster: string | null; namespace: string | null; kind: string | null; name: string | null };
  result: "success" | "denied" | "failure";
  httpStatus: number | null;
  requestId: string | null;
  clientIp: string | null;
  details: unknown;
}
