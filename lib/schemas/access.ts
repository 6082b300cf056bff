import { z } from "zod";
import { namespacePatternProblem } from "@/lib/k8s/namespace-patterns";
import { emailSchema, displayNameSchema, newPasswordSchema } from "./auth";
import { labelSelectorSchema } from "./clusters";
import { visibleName } from "./text";

export const ACCESS_LEVELS = ["view", "deploy", "manage"] as const;
export const SECRET_ACCESS = ["none", "metadata", "reveal"] as const;
export type AccessLevelValue = (typeof ACCESS_LEVELS)[number];
export type SecretAccessValue = (typeof SECRET_ACCESS)[number];

export const teamNameSchema = visibleName(
  z
    .string({ error: "Team name is required" })
    .trim()
    .min(1, "Team name is required")
    .max(63, "Team name must be at most 63 characters")
    .regex(
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
      "Use lower-case letters, digits and '-' (it becomes a Kubernetes group name)",
    ),
  "Team name",
);

export const createTeamBodySchema = z.object({
  name: teamNameSchema,
  description: z.string().trim().max(1000, "Description must be at most 1000 characters").default(""),
});
export const updateTeamBodySchema = z.object({
  description: z.string().trim().max(1000, "Description must be at most 1000 characters"),
});

export const membershipRoleSchema = z.enum(["member", "maintainer"], {
  error: 'Role must be "member" or "maintainer"',
});

export const addMemberBodySchema = z.object({ email: emailSchema, role: membershipRoleSchema.default("member") });
export const updateMemberBodySchema = z.object({ role: membershipRoleSchema });

export const grantBodySchema = z
  .object({
    clusterSelector: labelSelectorSchema.nullish(),
    clusterIds: z
      .array(z.uuid({ error: "Cluster ids must be UUIDs" }))
      .max(500, "At most 500 clusters")
      .default([]),
    namespaces: z
      .array(z.string().trim())
      .min(1, "List at least one namespace or pattern (use * for all namespaces)")
      .max(100, "At most 100 namespace patterns")
      .superRefine((patterns, context) => {
        patterns.forEach((pattern, index) => {
          const problem = namespacePatternProblem(pattern);
          if (problem) context.addIssue({ code: "custom", path: [index], message: problem });
        });
      }),
    clusterScoped: z.boolean().default(false),
    level: z.enum(ACCESS_LEVELS, { error: 'Level must be "view", "deploy" or "manage"' }),
    secrets: z.enum(SECRET_ACCESS, { error: 'Secrets must be "none", "metadata" or "reveal"' }).default("none"),
  })
  .superRefine((grant, context) => {
    if (!grant.clusterSelector && grant.clusterIds.length === 0) {
      context.addIssue({
        code: "custom",
        path: ["clusterIds"],
        message: "Choose clusters: a label selector, a list of clusters, or both",
      });
    }
  });
export type GrantBody = z.infer<typeof grantBodySchema>;

export const grantPreviewBodySchema = z.object({
  clusterSelector: labelSelectorSchema.nullish(),
  clusterIds: z
    .array(z.uuid({ error: "Cluster ids must be UUIDs" }))
    .max(500)
    .default([]),
});

export const createUserBodySchema = z.object({
  email: emailSchema,
  name: displayNameSchema,
  password: newPasswordSchema,
  isAdmin: z.boolean().default(false),
});

export const updateUserBodySchema = z
  .object({ name: displayNameSchema, isAdmin: z.boolean(), disabled: z.boolean() })
  .partial()
  .strict()
  .refine((body) => Object.keys(body).length > 0, "Send at least one field to change");

export const resetPasswordBodySchema = z.object({ password: newPasswordSchema });

export const createApiTokenBodySchema = z.object({
  name: visibleName(
    z
      .string({ error: "Name is required" })
      .trim()
      .min(1, "Name is required")
      .max(100, "Name must be at most 100 characters"),
  ),
  expiresInDays: z
    .number({ error: "expiresInDays must be a number of days" })
    .int("expiresInDays must be a whole number")
    .min(1, "expiresInDays must be at least 1")
    .max(365, "expiresInDays must be at most 365")
    .nullable()
    .default(90),
});
