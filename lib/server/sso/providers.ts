import "server-only";
import { db } from "@/lib/server/db/client";
import { conflict, notFound, validationFailed, type FieldErrors } from "@/lib/server/errors/app-error";
import {
  clusterGroupPrefixProblem,
  type CreateSsoProviderBody,
  type SsoGroupMappingInput,
  type SsoProviderView,
  type UpdateSsoProviderBody,
} from "@/lib/schemas/sso";
import { isUuid } from "@/lib/schemas/ids";
import { ensureEnvProviders } from "./env-providers";
import { parseIssuerUrl } from "./issuer-url";
import { resyncProviderUsers, type UserAccessChange } from "./provider-access";
import { sealClientSecret } from "./secret-vault";

const viewInclude = {
  mappings: { include: { team: { select: { name: true } } }, orderBy: { group: "asc" as const } },
  _count: { select: { users: true } },
};

type ProviderRow = Awaited<ReturnType<typeof loadRow>>;

function loadRow(id: string) {
  return db().ssoProvider.findUnique({ where: { id }, include: viewInclude });
}

function toView(row: NonNullable<ProviderRow>): SsoProviderView {
  return {
    id: row.id,
    slug: row.slug,
    displayName: row.displayName,
    issuer: row.issuer,
    clientId: row.clientId,
    hasClientSecret: true,
    scopes: row.scopes,
    emailClaim: row.emailClaim,
    nameClaim: row.nameClaim,
    groupsClaim: row.groupsClaim,
    allowedEmailDomains: row.allowedEmailDomains,
    sendGroupsToClusters: row.sendGroupsToClusters,
    clusterGroupPrefix: row.clusterGroupPrefix,
    enabled: row.enabled,
    managedByEnv: row.managedByEnv,
    mappings: row.mappings.map((m) => ({
      id: m.id,
      group: m.group,
      teamId: m.teamId,
      teamName: m.team?.name ?? null,
      role: m.role,
      admin: m.admin,
    })),
    userCount: row._count.users,
  };
}

export async function listSsoProviders(): Promise<SsoProviderView[]> {
  await ensureEnvProviders();
  const rows = await db().ssoProvider.findMany({ include: viewInclude, orderBy: { displayName: "asc" } });
  return rows.map(toView);
}

export async function getSsoProvider(id: string): Promise<SsoProviderView> {
  await ensureEnvProviders();
  const row = isUuid(id) ? await loadRow(id) : null;
  if (!row) throw notFound("Identity provider");
  return toView(row);
}

/** The buttons of the sign-in page: enabled providers only, name and slug. */
export async function signInProviders(): Promise<{ slug: string; displayName: string }[]> {
  await ensureEnvProviders();
  return db().ssoProvider.findMany({
    where: { enabled: true },
    select: { slug: true, displayName: true },
    orderBy: { displayName: "asc" },
  });
}

/** The issuer as stored: no trailing slash on a bare origin, kept on a path (Keycloak realms). */
const normalIssuer = (issuer: URL) => issuer.href.replace(/\/$/, issuer.pathname === "/" ? "" : "/");

/** Every mapped team must exist now; a deleted one is named by its field. */
async function checkMappings(mappings: SsoGroupMappingInput[]): Promise<void> {
  const teamIds = [...new Set(mappings.flatMap((m) => (m.teamId ? [m.teamId] : [])))];
  const found = new Set(
    (await db().team.findMany({ where: { id: { in: teamIds } }, select: { id: true } })).map((t) => t.id),
  );
  const problems: FieldErrors = {};
  mappings.forEach((m, index) => {
    if (m.teamId && !found.has(m.teamId))
      problems[`mappings.${index}.teamId`] = ["This team does not exist (any more); choose another"];
  });
  if (Object.keys(problems).length > 0) throw validationFailed(problems);
}

const mappingRows = (mappings: SsoGroupMappingInput[]) =>
  mappings.map((m) => ({
    group: m.group,
    teamId: m.admin ? null : (m.teamId ?? null),
    role: m.admin ? null : (m.role ?? "member"),
    admin: Boolean(m.admin),
  }));

function checkGroupPrefix(settings: { sendGroupsToClusters: boolean; clusterGroupPrefix: string }): void {
  const problem = clusterGroupPrefixProblem(settings);
  if (problem) throw validationFailed({ clusterGroupPrefix: [problem] });
}

export async function createSsoProvider(input: CreateSsoProviderBody): Promise<SsoProviderView> {
  const issuer = parseIssuerUrl(input.issuer);
  checkGroupPrefix(input);
  await checkMappings(input.mappings);
  if (await db().ssoProvider.findUnique({ where: { slug: input.slug }, select: { id: true } }))
    throw conflict("A provider with this slug exists", { slug: ["This slug is taken"] });
  const id = crypto.randomUUID();
  await db().ssoProvider.create({
    data: {
      id,
      slug: input.slug,
      displayName: input.displayName,
      issuer: normalIssuer(issuer),
      clientId: input.clientId,
      clientSecretEnvelope: sealClientSecret(id, input.clientSecret),
      scopes: [...new Set(input.scopes)],
      emailClaim: input.emailClaim,
      nameClaim: input.nameClaim,
      groupsClaim: input.groupsClaim,
      allowedEmailDomains: [...new Set(input.allowedEmailDomains)],
      sendGroupsToClusters: input.sendGroupsToClusters,
      clusterGroupPrefix: input.clusterGroupPrefix,
      enabled: input.enabled,
      mappings: { create: mappingRows(input.mappings) },
    },
  });
  return getSsoProvider(id);
}

/**
 * Another issuer is another provider: the stored client secret would be sent to it (HTTP
 * Basic at the token endpoint), and subjects are unique only per issuer, so its `sub` values
 * could take over the linked users. So it needs a new secret, and no user may be linked.
 */
async function checkIssuerChange(id: string, clientSecret: string | undefined): Promise<void> {
  const linked = await db().user.count({ where: { ssoProviderId: id } });
  if (linked > 0)
    throw conflict(
      `${linked} user(s) sign in with this provider; its issuer cannot change. Add another provider for the new issuer`,
      { issuer: ["The issuer cannot change while users sign in with this provider"] },
    );
  if (!clientSecret)
    throw validationFailed({
      clientSecret: ["A new issuer needs its own client secret: the stored one is never sent to another issuer"],
    });
}

async function editable(id: string) {
  const row = isUuid(id)
    ? await db().ssoProvider.findUnique({
        where: { id },
        select: { id: true, managedByEnv: true, issuer: true, sendGroupsToClusters: true, clusterGroupPrefix: true },
      })
    : null;
  if (!row) throw notFound("Identity provider");
  if (row.managedByEnv) throw conflict("This provider is configured by ARCHIPELAGO_SSO_PROVIDERS; change it there");
  return row;
}

/**
 * Saves a provider. New mappings apply at once to every user linked to it (from the groups of
 * their last sign-in), in the same transaction; `onResync` receives what changed, for the audit row.
 */
export async function updateSsoProvider(
  id: string,
  input: UpdateSsoProviderBody,
  onResync: (changes: UserAccessChange[]) => void = () => {},
): Promise<SsoProviderView> {
  const current = await editable(id);
  const issuer = input.issuer === undefined ? undefined : normalIssuer(parseIssuerUrl(input.issuer));
  if (issuer !== undefined && issuer !== current.issuer) await checkIssuerChange(id, input.clientSecret);
  checkGroupPrefix({
    sendGroupsToClusters: input.sendGroupsToClusters ?? current.sendGroupsToClusters,
    clusterGroupPrefix: input.clusterGroupPrefix ?? current.clusterGroupPrefix,
  });
  if (input.mappings) await checkMappings(input.mappings);
  if (input.slug) {
    const other = await db().ssoProvider.findUnique({ where: { slug: input.slug }, select: { id: true } });
    if (other && other.id !== id) throw conflict("A provider with this slug exists", { slug: ["This slug is taken"] });
  }
  const { clientSecret, mappings, issuer: _issuer, ...fields } = input;
  await db().$transaction(async (tx) => {
    await tx.ssoProvider.update({
      where: { id },
      data: {
        ...fields,
        ...(issuer ? { issuer } : {}),
        ...(clientSecret ? { clientSecretEnvelope: sealClientSecret(id, clientSecret) } : {}),
      },
    });
    // A provider switched off signs its users out now; their sessions and tokens check it at every use too.
    if (input.enabled === false) await tx.session.deleteMany({ where: { ssoProviderId: id } });
    if (mappings) {
      await tx.ssoGroupMapping.deleteMany({ where: { providerId: id } });
      await tx.ssoGroupMapping.createMany({ data: mappingRows(mappings).map((m) => ({ ...m, providerId: id })) });
      onResync(await resyncProviderUsers(tx, id));
    }
  });
  return getSsoProvider(id);
}

export async function deleteSsoProvider(id: string): Promise<string> {
  await editable(id);
  const row = await db().ssoProvider.findUniqueOrThrow({
    where: { id },
    select: { slug: true, _count: { select: { users: true } } },
  });
  if (row._count.users > 0)
    throw conflict(`${row._count.users} user(s) sign in with this provider; disable it instead of deleting it`);
  await db().ssoProvider.delete({ where: { id } });
  return row.slug;
}
