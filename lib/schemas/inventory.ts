import { z } from "zod";
import { pageQuerySchema } from "./numbers";
import { ALL_KINDS, HEALTH_STATES } from "@/lib/k8s/kinds";
import { namespacePatternProblem } from "@/lib/k8s/namespace-patterns";
import { labelSelectorSchema } from "./clusters";

export const INVENTORY_VIEWS = ["workloads", "configmaps", "secrets"] as const;
export const SORT_FIELDS = ["cluster", "namespace", "name", "kind", "age", "health", "ready", "size"] as const;

export const listInventoryQuerySchema = z.object({
  view: z.enum(INVENTORY_VIEWS, { error: 'view must be "workloads", "configmaps" or "secrets"' }).default("workloads"),
  kind: z.enum(ALL_KINDS, { error: `kind must be one of ${ALL_KINDS.join(", ")}` }).optional(),
  clusterSelector: labelSelectorSchema.optional(),
  /** Cluster names, comma-separated. */
  clusters: z.string().max(4096).optional(),
  /** A namespace or glob (payments-*). */
  namespace: z
    .string()
    .trim()
    .max(63)
    .refine(
      (value) => value === "" || !namespacePatternProblem(value),
      "namespace must be a namespace name or glob (letters, digits, '-', '*', '?')",
    )
    .optional(),
  q: z.string().trim().max(253).optional(),
  labelSelector: labelSelectorSchema.optional(),
  health: z.enum(HEALTH_STATES, { error: `health must be one of ${HEALTH_STATES.join(", ")}` }).optional(),
  sort: z.enum(SORT_FIELDS, { error: `sort must be one of ${SORT_FIELDS.join(", ")}` }).default("cluster"),
  order: z.enum(["asc", "desc"], { error: 'order must be "asc" or "desc"' }).default("asc"),
  page: pageQuerySchema,
  pageSize: z.coerce
    .number({ error: "pageSize must be a number" })
    .int("pageSize must be a whole number")
    .min(1, "pageSize must be 1 or more")
    .max(500, "pageSize must be at most 500")
    .default(100),
});
export type ListInventoryQuery = z.infer<typeof listInventoryQuerySchema>;

const objectRef = {
  cluster: z.uuid({ error: "cluster must be a cluster id" }),
  kind: z.enum(ALL_KINDS, { error: `kind must be one of ${ALL_KINDS.join(", ")}` }),
  namespace: z
    .string()
    .trim()
    .min(1, "namespace is required")
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "namespace must be a namespace name"),
  name: z
    .string()
    .trim()
    .min(1, "name is required")
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "name must be a Kubernetes object name"),
};

export const objectQuerySchema = z.object(objectRef);
export const revealSecretBodySchema = z.object({
  cluster: objectRef.cluster,
  namespace: objectRef.namespace,
  name: objectRef.name,
});

export const compareQuerySchema = z.object({
  kind: objectRef.kind,
  namespace: objectRef.namespace,
  name: objectRef.name,
  baseline: z.uuid({ error: "baseline must be a cluster id" }).optional(),
});

export const namespaceSummaryQuerySchema = z.object({ cluster: objectRef.cluster });
