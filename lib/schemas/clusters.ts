import { z } from "zod";
import { pageQuerySchema } from "./numbers";
import { selectorProblem } from "@/lib/k8s/label-selector";
import { labelKeyProblem, labelValueProblem } from "@/lib/k8s/labels";
import { visibleName } from "./text";

/** Shared by the cluster forms and the /api/v1/clusters handlers. */

export const clusterNameSchema = visibleName(
  z
    .string({ error: "Name is required" })
    .trim()
    .min(1, "Name is required")
    .max(63, "Name must be at most 63 characters")
    .regex(
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
      "Use lower-case letters, digits and '-', starting and ending with a letter or digit",
    ),
);

export const serverUrlSchema = z
  .string({ error: "Server URL is required" })
  .trim()
  .min(1, "Server URL is required")
  .max(2048, "Server URL is too long")
  .refine((value) => URL.canParse(value), "Server must be a URL such as https://api.example.com:6443")
  .refine((value) => !URL.canParse(value) || new URL(value).protocol === "https:", "Server must use https://")
  .refine(
    (value) => !URL.canParse(value) || (!new URL(value).username && !new URL(value).password),
    "Server URL must not contain a user name or password",
  )
  .refine(
    (value) => !URL.canParse(value) || (!new URL(value).search && !new URL(value).hash),
    "Server URL must not have a query or fragment",
  );

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const PEM_PRIVATE_KEY =
  /-----BEGIN ((RSA|EC|ENCRYPTED) )?PRIVATE KEY-----[\s\S]+?-----END ((RSA|EC|ENCRYPTED) )?PRIVATE KEY-----/;

export const pemCertificateSchema = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, `${what} is required`)
    .max(256 * 1024, `${what} is too large`)
    .refine((value) => PEM_CERTIFICATE.test(value), `${what} must be PEM (-----BEGIN CERTIFICATE-----)`);

export const credentialInputSchema = z.discriminatedUnion(
  "type",
  [
    z.object({
      type: z.literal("token"),
      token: z
        .string({ error: "Token is required" })
        .trim()
        .min(1, "Token is required")
        .max(16 * 1024, "Token is too long"),
    }),
    z.object({
      type: z.literal("client_certificate"),
      certificate: pemCertificateSchema("Client certificate"),
      key: z
        .string({ error: "Client key is required" })
        .trim()
        .min(1, "Client key is required")
        .max(64 * 1024, "Client key is too large")
        .refine(
          (value) => PEM_PRIVATE_KEY.test(value),
          "Client key must be a PEM private key (-----BEGIN … PRIVATE KEY-----)",
        ),
    }),
  ],
  { error: 'Credential type must be "token" or "client_certificate"' },
);
export type CredentialInput = z.infer<typeof credentialInputSchema>;

export const labelsSchema = z
  .record(z.string(), z.string({ error: "Label values must be strings" }))
  .superRefine((labels, context) => {
    if (Object.keys(labels).length > 64) context.addIssue({ code: "custom", message: "At most 64 labels" });
    for (const [key, value] of Object.entries(labels)) {
      const problem = labelKeyProblem(key) ?? labelValueProblem(value);
      if (problem) context.addIssue({ code: "custom", path: [key], message: problem });
    }
  });

export const variablesSchema = z
  .record(
    z.string(),
    z.string({ error: "Variable values must be strings" }).max(4096, "Variable values must be at most 4096 characters"),
  )
  .superRefine((variables, context) => {
    if (Object.keys(variables).length > 100) context.addIssue({ code: "custom", message: "At most 100 variables" });
    for (const key of Object.keys(variables)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(key)) {
        context.addIssue({
          code: "custom",
          path: [key],
          message: `Variable name "${key}" must be a letter or _ followed by letters, digits or _ (at most 63)`,
        });
      }
    }
  });

export const descriptionSchema = z.string().trim().max(1000, "Description must be at most 1000 characters");

const connectionFields = {
  server: serverUrlSchema,
  caData: pemCertificateSchema("CA bundle").nullish(),
  insecureSkipTlsVerify: z.boolean().default(false),
  tlsServerName: z.string().trim().max(253).nullish(),
};

export const testConnectionBodySchema = z.object({ ...connectionFields, credential: credentialInputSchema });

export const createClusterBodySchema = z.object({
  name: clusterNameSchema,
  description: descriptionSchema.default(""),
  ...connectionFields,
  credential: credentialInputSchema,
  labels: labelsSchema.default({}),
  variables: variablesSchema.default({}),
  impersonateUsers: z.boolean().default(false),
});
export type CreateClusterBody = z.infer<typeof createClusterBodySchema>;

export const updateClusterBodySchema = z
  .object({
    description: descriptionSchema,
    labels: labelsSchema,
    variables: variablesSchema,
    server: serverUrlSchema,
    caData: pemCertificateSchema("CA bundle").nullable(),
    insecureSkipTlsVerify: z.boolean(),
    tlsServerName: z.string().trim().max(253).nullable(),
    impersonateUsers: z.boolean(),
  })
  .partial()
  .strict()
  .refine((body) => Object.keys(body).length > 0, "Send at least one field to change");
export type UpdateClusterBody = z.infer<typeof updateClusterBodySchema>;

export const replaceCredentialBodySchema = z.object({ credential: credentialInputSchema });

/** Kubeconfig text is capped well below the route's body limit so the error can name the field. */
export const KUBECONFIG_MAX_BYTES = 1024 * 1024;
const kubeconfigTextSchema = z
  .string({ error: "Kubeconfig is required" })
  .min(1, "Kubeconfig is empty")
  .refine((value) => value.trim().length > 0, "Kubeconfig is empty")
  .refine((value) => new TextEncoder().encode(value).length <= KUBECONFIG_MAX_BYTES, "Kubeconfig must be at most 1 MB");

export const previewKubeconfigBodySchema = z.object({ kubeconfig: kubeconfigTextSchema });

export const importKubeconfigBodySchema = z.object({
  kubeconfig: kubeconfigTextSchema,
  contexts: z
    .array(
      z.object({
        context: z.string().min(1, "Pick a context"),
        name: clusterNameSchema,
        description: descriptionSchema.default(""),
        labels: labelsSchema.default({}),
      }),
    )
    .min(1, "Pick at least one context to register")
    .max(200, "At most 200 contexts at once"),
});
export type ImportKubeconfigBody = z.infer<typeof importKubeconfigBodySchema>;

export const clusterStatusSchema = z.enum(["never_checked", "reachable", "unreachable"]);
export type ClusterStatusValue = z.infer<typeof clusterStatusSchema>;

export const labelSelectorSchema = z
  .string()
  .max(4096, "Selector is too long")
  .superRefine((value, context) => {
    const problem = selectorProblem(value);
    if (problem) context.addIssue({ code: "custom", message: `Invalid label selector: ${problem}` });
  });

export const listClustersQuerySchema = z.object({
  selector: labelSelectorSchema.optional(),
  name: z.string().trim().max(253).optional(),
  status: clusterStatusSchema.optional(),
  page: pageQuerySchema,
  pageSize: z.coerce
    .number({ error: "pageSize must be a number" })
    .int()
    .min(1, "pageSize must be 1 or more")
    .max(500, "pageSize must be at most 500")
    .default(100),
});
export type ListClustersQuery = z.infer<typeof listClustersQuerySchema>;
