import "server-only";
import { z } from "zod";
import { strategySchema } from "@/lib/schemas/templates";
import { appliedRefsSchema } from "@/lib/server/access/coverage";

/**
 * The JSON columns of releases and rollouts, parsed when read (never cast), in one place for
 * releases/ and rollouts/ alike. A rollout or target row that does not parse fails with a
 * reason naming the column, instead of throwing later; a release's row leaves its drift
 * state unknown with that reason.
 */

export const storedStrategySchema = strategySchema;
export const storedHealthGateSchema = z.object({ timeoutSeconds: z.number().int().min(1).max(86_400) });
export const storedParamsSchema = z.record(z.string(), z.unknown());
export const previousStateSchema = z
  .object({
    revisionId: z.string(),
    revisionNumber: z.number().int(),
    params: storedParamsSchema,
    objects: appliedRefsSchema,
  })
  .nullable();
export type PreviousState = z.infer<typeof previousStateSchema>;

/** release_clusters.objects: the references applied there (what pruning and heal may touch). */
export const releaseObjectsSchema = appliedRefsSchema;
/** release_clusters.source_digests: per secret-reference path, a keyed digest of the source last applied. */
export const sourceDigestsSchema = z.record(z.string(), z.string());

/** Who owned an object before (releases/executor.ts ObjectOwner): a release by id only, or outside managers. */
export const storedOwnerSchema = z.union([
  z.object({ releaseId: z.string() }),
  z.object({ managers: z.array(z.string()) }),
]);

/**
 * Per-object outcomes kept on a target: what rollback needs is the reference and what happened,
 * and whether this rollout took the object over (and from whom): a rollback never prunes those.
 */
export const targetObjectsSchema = z.array(
  z
    .object({
      apiVersion: z.string(),
      kind: z.string(),
      namespace: z.string().nullable(),
      name: z.string(),
      action: z.string(),
      tookOver: z.boolean().optional(),
      owner: storedOwnerSchema.optional(),
    })
    .passthrough(),
);

/** rollout_targets.gate: the health gate's last reading. */
export const storedGateSchema = z.object({
  ready: z.number().optional(),
  total: z.number().optional(),
  failing: z.array(z.string()).optional(),
  checkedAt: z.string().optional(),
  error: z.string().optional(),
});

export class CorruptColumnError extends Error {
  override name = "CorruptColumnError";
}

/** Parses a stored column or throws CorruptColumnError naming it. */
export function parseColumn<T>(schema: z.ZodType<T>, value: unknown, column: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new CorruptColumnError(
      `The stored ${column} is not valid (${parsed.error.issues[0]?.message ?? "unreadable"})`,
    );
  return parsed.data;
}
