import { z } from "zod";
import { emailSchema } from "./auth";
import { visibleName } from "./text";

/** URL-safe provider name, used in sign-in links and in ARCHIPELAGO_SSO_PROVIDERS. */
export const ssoSlugSchema = z
  .string({ error: "Slug is required" })
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "Use 1-40 lower-case letters, digits and dashes");

const claimNameSchema = (what: string) =>
  z
    .string({ error: `${what} claim is required` })
    .trim()
    .regex(/^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/, `${what} claim: letters, digits, _ : / - and dots for nesting`)
    .max(100);

const scopeSchema = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, "A scope is one word without quotes");

const domainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "Enter a domain such as example.com");

/** A provider group mapped to a team (with a role) or to admin rights. */
export const ssoGroupMappingSchema = z
  .object({
    group: visibleName(
      z.string().trim().min(1, "Group is required").max(256, "Group must be at most 256 characters"),
      "Group",
    ),
    teamId: z.uuid("Choose a team").optional(),
    role: z.enum(["member", "maintainer"]).optional(),
    admin: z.boolean().optional(),
  })
  .refine((m) => (m.admin ? !m.teamId : Boolean(m.teamId)), {
    message: "A mapping grants either a team (with a role) or admin",
    path: ["teamId"],
  });
export type SsoGroupMappingInput = z.infer<typeof ssoGroupMappingSchema>;

/**
 * Provider groups reach clusters' RBAC only under a prefix, so a group named like a team, or
 * like a binding an admin made for someone else, cannot borrow that binding.
 */
export const DEFAULT_CLUSTER_GROUP_PREFIX = "oidc:";

/** Why a provider's group settings cannot be saved, or null: sending groups needs a prefix. */
export function clusterGroupPrefixProblem(settings: {
  sendGroupsToClusters: boolean;
  clusterGroupPrefix: string;
}): string | null {
  return settings.sendGroupsToClusters && settings.clusterGroupPrefix === ""
    ? `Groups sent to clusters need a prefix (such as ${DEFAULT_CLUSTER_GROUP_PREFIX})`
    : null;
}

const providerFields = {
  slug: ssoSlugSchema,
  displayName: visibleName(
    z.string().trim().min(1, "Display name is required").max(60, "At most 60 characters"),
    "Display name",
  ),
  issuer: z.string({ error: "Issuer URL is required" }).trim().min(1, "Issuer URL is required").max(500),
  clientId: z.string({ error: "Client id is required" }).trim().min(1, "Client id is required").max(500),
  clientSecret: z.string().min(1, "Client secret is required").max(2000),
  scopes: z
    .array(scopeSchema)
    .max(20)
    .refine((scopes) => scopes.includes("openid"), "Scopes must include openid"),
  emailClaim: claimNameSchema("Email"),
  nameClaim: claimNameSchema("Name"),
  groupsClaim: claimNameSchema("Groups"),
  allowedEmailDomains: z.array(domainSchema).max(50),
  sendGroupsToClusters: z.boolean(),
  clusterGroupPrefix: z
    .string()
    .max(40)
    .regex(/^[A-Za-z0-9:_./-]*$/, "Prefix: letters, digits and : _ . / -")
    .refine(
      (prefix) => !prefix.toLowerCase().startsWith("system:"),
      "Kubernetes reserves groups starting with system:",
    ),
  enabled: z.boolean(),
  mappings: z.array(ssoGroupMappingSchema).max(500),
};

export const createSsoProviderBodySchema = z.object({
  ...providerFields,
  scopes: providerFields.scopes.default(["openid", "email", "profile", "groups"]),
  emailClaim: providerFields.emailClaim.default("email"),
  nameClaim: providerFields.nameClaim.default("name"),
  groupsClaim: providerFields.groupsClaim.default("groups"),
  allowedEmailDomains: providerFields.allowedEmailDomains.default([]),
  sendGroupsToClusters: providerFields.sendGroupsToClusters.default(true),
  clusterGroupPrefix: providerFields.clusterGroupPrefix.default(DEFAULT_CLUSTER_GROUP_PREFIX),
  enabled: providerFields.enabled.default(true),
  mappings: providerFields.mappings.default([]),
});
export type CreateSsoProviderBody = z.infer<typeof createSsoProviderBodySchema>;

/** Every field optional; a client secret given replaces the stored one (it is never read back). */
export const updateSsoProviderBodySchema = z.object(providerFields).partial();
export type UpdateSsoProviderBody = z.infer<typeof updateSsoProviderBodySchema>;

/** Test a saved provider (its stored secret), or settings not saved yet. */
export const testSsoProviderBodySchema = z.union([
  z.object({ providerId: z.uuid("Unknown provider") }).strict(),
  z
    .object({
      issuer: providerFields.issuer,
      clientId: providerFields.clientId,
      clientSecret: providerFields.clientSecret.optional(),
    })
    .strict(),
]);
export type TestSsoProviderBody = z.infer<typeof testSsoProviderBodySchema>;

export const authSettingsBodySchema = z.object({
  passwordSignIn: z.boolean(),
  breakGlassEmails: z.array(emailSchema).max(20),
});
export type AuthSettingsBody = z.infer<typeof authSettingsBodySchema>;

/** What the sign-in page may say after a failed single sign-on: codes only, never text from the provider. */
export const SSO_ERROR_MESSAGES = {
  provider_unreachable:
    "The identity provider could not be reached. Try again later, or use a local break-glass account.",
  provider_misconfigured: "The identity provider's configuration is not usable (discovery failed). Tell an admin.",
  provider_denied: "The identity provider did not sign you in.",
  state_invalid: "This sign-in is not valid in this browser or was already used. Start again.",
  token_invalid: "The identity provider's answer failed verification; nothing was signed in.",
  email_missing: "The identity provider sent no email address for you.",
  email_unverified: "The identity provider says your email address is not verified.",
  domain_not_allowed: "Your email domain is not allowed to sign in here.",
  account_disabled: "Your Archipelago account is disabled.",
  email_taken: "A local Archipelago account already uses your email address; ask an admin.",
  provider_unknown: "That identity provider is not configured.",
  audit_unavailable: "The sign-in could not be recorded in the audit log, so you were not signed in. Try again later.",
  callback_invalid: "The identity provider's answer was malformed; nothing was signed in. Start again.",
  setup_pending:
    "Archipelago is not set up yet: its first admin must be created (with a password) before single sign-on.",
} as const;
export type SsoErrorCode = keyof typeof SSO_ERROR_MESSAGES;

/** The words that may follow an error code (which check failed), shown as they are. */
export const SSO_ERROR_DETAILS = [
  "signature",
  "audience",
  "issuer",
  "expired",
  "nonce",
  "state",
  "access_denied",
  "login_required",
  "consent_required",
  "server_error",
  "temporarily_unavailable",
  "invalid_client",
  "other",
] as const;
export type SsoErrorDetail = (typeof SSO_ERROR_DETAILS)[number];

export interface SsoProviderView {
  id: string;
  slug: string;
  displayName: string;
  issuer: string;
  clientId: string;
  /** Never the secret itself: only that one is stored. */
  hasClientSecret: boolean;
  scopes: string[];
  emailClaim: string;
  nameClaim: string;
  groupsClaim: string;
  allowedEmailDomains: string[];
  sendGroupsToClusters: boolean;
  clusterGroupPrefix: string;
  enabled: boolean;
  managedByEnv: boolean;
  mappings: {
    id: string;
    group: string;
    teamId: string | null;
    teamName: string | null;
    role: string | null;
    admin: boolean;
  }[];
  userCount: number;
}

export interface SsoTestResult {
  ok: boolean;
  redirectUri: string;
  issuer: string;
  discovery?: {
    authorizationEndpoint: string | null;
    tokenEndpoint: string | null;
    userinfoEndpoint: string | null;
    endSessionEndpoint: string | null;
    jwksUri: string | null;
    scopesSupported: string[];
    claimsSupported: string[];
  };
  clientCredentials: "accepted" | "rejected" | "not_checked";
  problems: string[];
}

export interface AuthSettingsView {
  passwordSignIn: boolean;
  breakGlassEmails: string[];
  /** Set from the environment: the UI shows these read-only. */
  lockedByEnv: boolean;
}
