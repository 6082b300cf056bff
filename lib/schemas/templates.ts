import { z } from "zod";
import { freezeOverrideSchema } from "./change-windows";
import { revisionNumberSchema } from "./numbers";
import { selectorProblem } from "@/lib/k8s/label-selector";
import { labelSelectorSchema } from "./clusters";
import { visibleName } from "./text";

export const TEMPLATE_BODY_MAX_BYTES = 1024 * 1024;
/** Request limit of the template routes: a body at the limit, JSON-escaped, plus schema and overrides. */
export const TEMPLATE_REQUEST_MAX_BYTES = 4 * 1024 * 1024;
/** Request limit of rollout start and preview: above a secret parameter's own 1 MiB limit, so that one is named. */
export const ROLLOUT_REQUEST_MAX_BYTES = 4 * 1024 * 1024;

/** Template and release names. */
export const templateNameSchema = visibleName(
  z
    .string({ error: "Template name is required" })
    .trim()
    .min(1, "Template name is required")
    .max(63, "Template name must be at most 63 characters")
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "Use lower-case letters, digits and '-'"),
);

export const templateOverrideSchema = z.object({
  selector: z
    .string()
    .min(1, "An override needs a cluster label selector")
    .superRefine((value, context) => {
      const problem = selectorProblem(value);
      if (problem) context.addIssue({ code: "custom", message: `Invalid label selector: ${problem}` });
    }),
  target: z.object({
    kind: z.string().min(1, "target.kind is required"),
    name: z.string().min(1, "target.name is required"),
  }),
  patch: z.record(z.string(), z.unknown(), { error: "patch must be an object (a JSON merge patch)" }),
});
export type TemplateOverride = z.infer<typeof templateOverrideSchema>;

const revisionFields = {
  schema: z.record(z.string(), z.unknown(), { error: "schema must be a JSON Schema object" }),
  body: z
    .string({ error: "body is required" })
    .min(1, "body is required")
    .refine((value) => new TextEncoder().encode(value).length <= TEMPLATE_BODY_MAX_BYTES, "body must be at most 1 MB"),
  overrides: z.array(templateOverrideSchema).max(100, "At most 100 overrides").default([]),
  message: z.string().trim().max(500, "message must be at most 500 characters").default(""),
  /** Cluster to render against when linting; defaults to the first cluster you may deploy to. */
  sampleClusterId: z.uuid({ error: "sampleClusterId must be a cluster id" }).optional(),
};

/** The owning team: required when the caller is in several teams; omitted by an admin outside any team: global. */
const ownerTeamIdSchema = z.uuid({ error: "teamId must be a team id" }).nullish();

export const createTemplateBodySchema = z.object({
  teamId: ownerTeamIdSchema,
  name: templateNameSchema,
  description: z.string().trim().max(1000, "description must be at most 1000 characters").default(""),
  ...revisionFields,
});
export type CreateTemplateBody = z.infer<typeof createTemplateBodySchema>;

export const saveRevisionBodySchema = z.object(revisionFields);
export type SaveRevisionBody = z.infer<typeof saveRevisionBodySchema>;

export const strategySchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("all") }),
    z.object({
      kind: z.literal("waves"),
      batchSize: z
        .number()
        .int()
        .min(1, "batchSize must be at least 1")
        .max(500, "batchSize must be at most 500")
        .optional(),
      batchPercent: z
        .number()
        .int()
        .min(1, "batchPercent must be 1-100")
        .max(100, "batchPercent must be 1-100")
        .optional(),
      canaryClusterIds: z.array(z.uuid()).max(50).default([]),
      bakeSeconds: z.number().int().min(0).max(86_400, "bakeSeconds must be at most a day").default(0),
    }),
  ],
  { error: 'strategy.kind must be "all" or "waves"' },
);
export type Strategy = z.infer<typeof strategySchema>;

export const rolloutRequestSchema = z
  .object({
    /** The team the release belongs to (release names are per team); see createTemplateBodySchema.teamId. */
    teamId: ownerTeamIdSchema,
    releaseName: templateNameSchema,
    templateId: z.uuid({ error: "templateId must be a template id" }),
    revision: revisionNumberSchema("revision"),
    params: z.record(z.string(), z.unknown()).default({}),
    targets: z.object({
      selector: labelSelectorSchema.nullish(),
      clusterIds: z
        .array(z.uuid({ error: "cluster ids must be UUIDs" }))
        .max(500)
        .default([]),
    }),
    strategy: strategySchema.default({ kind: "all" }),
    healthGate: z
      .object({
        timeoutSeconds: z
          .number()
          .int()
          .min(5, "timeoutSeconds must be at least 5")
          .max(3600, "timeoutSeconds must be at most 3600")
          .default(120),
      })
      .default({ timeoutSeconds: 120 }),
    tolerateFailures: z.number().int().min(0, "tolerateFailures must be 0 or more").max(500).default(0),
    autoRollback: z.boolean().default(true),
    takeOwnership: z.boolean().default(false),
    idempotencyKey: z.string().min(8).max(100).optional(),
    /** Admins only: start (and run every wave) through change freezes, with a reason (audited). */
    freezeOverride: freezeOverrideSchema.optional(),
    /** Scheduled: the first wave starts no earlier than this instant (in the future, within a year). */
    startAt: z.iso
      .datetime({ offset: true, error: "startAt must be an ISO 8601 date-time with a zone (…Z or +hh:mm)" })
      .optional(),
  })
  .superRefine((body, context) => {
    if (!body.targets.selector && body.targets.clusterIds.length === 0) {
      context.addIssue({
        code: "custom",
        path: ["targets"],
        message: "Choose target clusters: a label selector, a list, or both",
      });
    }
    if (body.strategy.kind === "waves" && !body.strategy.batchSize && !body.strategy.batchPercent) {
      context.addIssue({
        code: "custom",
        path: ["strategy", "batchSize"],
        message: "Waves need a batch size or a batch percentage",
      });
    }
  });
export type RolloutRequest = z.infer<typeof rolloutRequestSchema>;

/**
 * The value of a "secret reference" parameter (`format: "secret-reference"`): a Secret on a
 * source cluster whose data (all keys, or those named) is copied at apply time, never stored.
 */
export const secretReferenceSchema = z
  .object({
    cluster: z.uuid({ error: "cluster must be a cluster id" }),
    namespace: z
      .string({ error: "namespace is required" })
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "namespace must be a namespace name")
      .max(63),
    name: z
      .string({ error: "name is required" })
      .regex(/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/, "name must be a Secret name")
      .max(253),
    keys: z
      .array(
        z
          .string()
          .regex(/^[-._a-zA-Z0-9]+$/, "keys must be Secret data keys")
          .max(253),
      )
      .max(100)
      .optional(),
  })
  .strict();
export type SecretReference = z.infer<typeof secretReferenceSchema>;
