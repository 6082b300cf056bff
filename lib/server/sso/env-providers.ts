import "server-only";
import { z } from "zod";
import { recordAudit } from "@/lib/server/audit/record";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import { clusterGroupPrefixProblem, createSsoProviderBodySchema } from "@/lib/schemas/sso";
import { parseIssuerUrl } from "./issuer-url";
import { resyncProviderUsers } from "./provider-access";
import { sealClientSecret } from "./secret-vault";

/**
 * ARCHIPELAGO_SSO_PROVIDERS: a JSON array of providers for automated deployments. Mappings
 * name teams by name (ids differ between installations). The rows are written with
 * managedByEnv, which makes them read-only in the UI and the API; a provider removed from
 * the variable is disabled, not deleted (its users keep their history).
 */
const envMappingSchema = z.union([
  z.object({ group: z.string().min(1), admin: z.literal(true) }).strict(),
  z
    .object({ group: z.string().min(1), team: z.string().min(1), role: z.enum(["member", "maintainer"]).optional() })
    .strict(),
]);
const envProviderSchema = createSsoProviderBodySchema
  .omit({ mappings: true })
  .extend({ mappings: z.array(envMappingSchema).max(500).default([]) })
  .strict();
export const envProvidersSchema = z.array(envProviderSchema).max(20);
export type EnvProvider = z.infer<typeof envProviderSchema>;

/** Parses the variable; a bad value names the entry and field (the secret is never echoed). */
export function parseEnvProviders(raw: string | undefined): EnvProvider[] {
  if (!raw?.trim()) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error("ARCHIPELAGO_SSO_PROVIDERS is not valid JSON");
  }
  const parsed = envProvidersSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`ARCHIPELAGO_SSO_PROVIDERS: ${issue.path.join(".")}: ${issue.message}`);
  }
  for (const [index, provider] of parsed.data.entries()) {
    const prefixProblem = clusterGroupPrefixProblem(provider);
    if (prefixProblem) throw new Error(`ARCHIPELAGO_SSO_PROVIDERS: ${index}.clusterGroupPrefix: ${prefixProblem}`);
    try {
      parseIssuerUrl(provider.issuer);
    } catch {
      throw new Error(`ARCHIPELAGO_SSO_PROVIDERS: ${index}.issuer must be https (plain http only on loopback)`);
    }
  }
  return parsed.data;
}

async function syncEnvProviders(): Promise<void> {
  const providers = parseEnvProviders(env().ARCHIPELAGO_SSO_PROVIDERS);
  const teams = await db().team.findMany({ select: { id: true, name: true } });
  const teamIdByName = new Map(teams.map((t) => [t.name, t.id]));
  for (const provider of providers) {
    const existing = await db().ssoProvider.findUnique({
      where: { slug: provider.slug },
      select: { id: true, issuer: true, _count: { select: { users: true } } },
    });
    // Subjects are unique only per issuer: another issuer's `sub` could take over linked users.
    if (existing && existing.issuer !== provider.issuer && existing._count.users > 0) {
      logger.error(
        { provider: provider.slug },
        "ARCHIPELAGO_SSO_PROVIDERS changes the issuer of a provider users sign in with; it is disabled. Give the new issuer its own slug",
      );
      await db().$transaction(async (tx) => {
        await tx.ssoProvider.update({ where: { id: existing.id }, data: { enabled: false, managedByEnv: true } });
        await tx.session.deleteMany({ where: { ssoProviderId: existing.id } });
      });
      continue;
    }
    const id = existing?.id ?? crypto.randomUUID();
    type Row = { group: string; teamId: string | null; role: "member" | "maintainer" | null; admin: boolean };
    const mappings = provider.mappings.flatMap((m): Row[] => {
      if ("admin" in m) return [{ group: m.group, teamId: null, role: null, admin: true }];
      const teamId = teamIdByName.get(m.team);
      if (!teamId) {
        logger.warn(
          { provider: provider.slug, team: m.team },
          "ARCHIPELAGO_SSO_PROVIDERS maps a group to a team that does not exist; mapping skipped",
        );
        return [];
      }
      return [{ group: m.group, teamId, role: m.role ?? "member", admin: false }];
    });
    const data = {
      displayName: provider.displayName,
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecretEnvelope: sealClientSecret(id, provider.clientSecret),
      scopes: provider.scopes,
      emailClaim: provider.emailClaim,
      nameClaim: provider.nameClaim,
      groupsClaim: provider.groupsClaim,
      allowedEmailDomains: provider.allowedEmailDomains,
      sendGroupsToClusters: provider.sendGroupsToClusters,
      clusterGroupPrefix: provider.clusterGroupPrefix,
      enabled: provider.enabled,
      managedByEnv: true,
    };
    const resynced = await db().$transaction(async (tx) => {
      await tx.ssoProvider.upsert({
        where: { slug: provider.slug },
        create: { id, slug: provider.slug, ...data },
        update: data,
      });
      await tx.ssoGroupMapping.deleteMany({ where: { providerId: id } });
      await tx.ssoGroupMapping.createMany({ data: mappings.map((m) => ({ ...m, providerId: id })) });
      // Changed mappings apply now to the users already linked, not at each one's next sign-in.
      return resyncProviderUsers(tx, id);
    });
    if (resynced.length > 0)
      await recordAudit({
        actor: null,
        action: "sso.provider.resync",
        result: "success",
        target: { kind: "SsoProvider", name: provider.slug },
        details: { source: "ARCHIPELAGO_SSO_PROVIDERS", resynced },
      });
  }
  await db().ssoProvider.updateMany({
    where: { managedByEnv: true, slug: { notIn: providers.map((p) => p.slug) } },
    data: { enabled: false },
  });
}

const globalForSync = globalThis as unknown as { archipelagoSsoEnvSync?: Promise<void> };

/** Writes the environment's providers once per process (before the first read). */
export function ensureEnvProviders(): Promise<void> {
  globalForSync.archipelagoSsoEnvSync ??= syncEnvProviders().catch((error: unknown) => {
    globalForSync.archipelagoSsoEnvSync = undefined;
    throw error;
  });
  return globalForSync.archipelagoSsoEnvSync;
}

/** Test seam: sync again after changing the environment. */
export function resetEnvProvidersForTests(): void {
  globalForSync.archipelagoSsoEnvSync = undefined;
}
