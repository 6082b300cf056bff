import { z } from "zod";
import { ALL_KINDS } from "@/lib/k8s/kinds";
import { namespacePatternProblem } from "@/lib/k8s/namespace-patterns";
import { isoDateSchema } from "./iso-date";
import { cursorSchema, pageSizeSchema, type Page } from "./paging";

/**
 * The change timeline (README "Change timeline"): what happened to indexed objects, fleet-wide,
 * newest first. Shared by the route (query schema) and the page (wire types).
 */

export const CHANGE_TYPES = ["created", "changed", "deleted", "health"] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** Without `from`, a page covers the hour before `to` ("what changed in the last hour"). */
export const TIMELINE_DEFAULT_RANGE_MS = 60 * 60_000;
/**
 * The longest range one request may cover. It bounds the exact count every page carries (a
 * count over the caller's visible rows in the range); older history is read range by range.
 */
export const TIMELINE_MAX_RANGE_DAYS = 7;
const MAX_RANGE_MS = TIMELINE_MAX_RANGE_DAYS * 24 * 60 * 60_000;
export const TIMELINE_MAX_PAGE_SIZE = 200;
const MAX_CLUSTER_FILTERS = 200;

/** A comma-separated list (query strings carry one value per name here), trimmed, empties dropped. */
const commaList = (raw: string) =>
  raw
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

export const listChangesQuerySchema = z
  .object({
    /** Start of the range (inclusive); default: an hour before `to`. */
    from: isoDateSchema("from").optional(),
    /** End of the range (inclusive); default: now. */
    to: isoDateSchema("to").optional(),
    /** Cluster ids or names, comma-separated. A cluster the caller cannot see matches nothing, like an unknown one. */
    clusters: z
      .string()
      .max(8192, "clusters must be at most 8192 characters")
      .transform(commaList)
      .refine((list) => list.length <= MAX_CLUSTER_FILTERS, `clusters may name at most ${MAX_CLUSTER_FILTERS} clusters`)
      .refine((list) => list.every((item) => item.length <= 253), "each cluster must be an id or a name")
      .optional(),
    kind: z.enum(ALL_KINDS, { error: `kind must be one of ${ALL_KINDS.join(", ")}` }).optional(),
    /** A namespace or glob (payments-*). */
    namespace: z
      .string()
      .trim()
      .max(63, "namespace must be at most 63 characters")
      .refine(
        (value) => value === "" || !namespacePatternProblem(value),
        "namespace must be a namespace name or glob (lower-case letters, digits, '-', '*', '?')",
      )
      .optional(),
    /** Name contains (object names are lower case, so the search is too). */
    q: z.string().trim().max(253, "q must be at most 253 characters").toLowerCase().optional(),
    /** Change types, comma-separated. */
    change: z
      .string()
      .max(100, "change must be at most 100 characters")
      .transform(commaList)
      .refine(
        (list) => list.every((item) => (CHANGE_TYPES as readonly string[]).includes(item)),
        `change must be a comma-separated list of ${CHANGE_TYPES.join(", ")}`,
      )
      .transform((list) => list as ChangeType[])
      .optional(),
    /** Keyset cursor (newest first, by time then id): the `nextCursor` of the previous page. */
    cursor: cursorSchema("changes", {
      at: z.iso.datetime(),
      // A bigint row id: digits only, and within Postgres' bigint (a larger one would fail in the database).
      id: z.string().refine((id) => /^\d{1,19}$/.test(id) && BigInt(id) <= 9_223_372_036_854_775_807n),
    }).optional(),
    pageSize: pageSizeSchema(TIMELINE_MAX_PAGE_SIZE, 50),
  })
  .transform((query, context) => {
    const to = query.to ?? new Date();
    const from = query.from ?? new Date(to.getTime() - TIMELINE_DEFAULT_RANGE_MS);
    if (from > to) {
      context.addIssue({ code: "custom", path: ["to"], message: "to must not be before from" });
      return z.NEVER;
    }
    if (to.getTime() - from.getTime() > MAX_RANGE_MS) {
      context.addIssue({
        code: "custom",
        path: ["from"],
        message: `the range from "from" to "to" must be at most ${TIMELINE_MAX_RANGE_DAYS} days`,
      });
      return z.NEVER;
    }
    return { ...query, from, to };
  });
export type ListChangesQuery = z.infer<typeof listChangesQuerySchema>;
export type ChangesCursor = NonNullable<ListChangesQuery["cursor"]>;

/**
 * What a change row's `before` / `after` columns may hold: the object's projection. Parsed at
 * the boundary and cut to these fields, so whatever else a row might carry (a field added by a
 * later writer, a value that must never be shown) does not reach an answer by construction.
 */
export const changeProjectionSchema = z.object({
  labels: z.record(z.string(), z.string()).optional(),
  health: z.string().nullable().optional(),
  ready: z.number().nullable().optional(),
  desired: z.number().nullable().optional(),
  size: z.number().nullable().optional(),
  detail: z
    .object({
      images: z.array(z.string()).optional(),
      conditions: z.array(z.object({ type: z.string(), status: z.string(), reason: z.string().optional() })).optional(),
      /** Secret and configmap key names (never values). */
      keys: z.array(z.string()).optional(),
      keyCount: z.number().optional(),
      secretType: z.string().optional(),
    })
    .optional(),
});
export type ChangeProjection = z.infer<typeof changeProjectionSchema>;

/** One field that differs between before and after: a dotted path (`labels.app`, `detail.images.0`). */
export interface ChangeDiffEntry {
  path: string;
  op: "added" | "removed" | "changed";
  before?: unknown;
  after?: unknown;
}

export interface ChangeEntryView {
  id: string;
  at: string;
  change: ChangeType;
  cluster: { id: string; name: string };
  /** An inventory kind as the index names it (`deployments`, `configmaps`: lib/k8s/kinds.ts). */
  kind: string;
  namespace: string;
  name: string;
  resourceVersion: string;
  health: { before: string | null; after: string | null };
  /** Fields of the projection that differ (every field for created and deleted). */
  diff: ChangeDiffEntry[];
  /** A stored projection that did not read as one: the diff leaves it out. */
  unreadable?: Array<"before" | "after">;
}

export interface ChangesPage extends Page {
  changes: ChangeEntryView[];
  /** The range this page covers (defaults resolved), so the UI can say "changes since …". */
  range: { from: string; to: string };
}
