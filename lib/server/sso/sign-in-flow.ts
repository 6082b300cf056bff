import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { needsFirstAdmin } from "@/lib/server/auth/first-admin";
import { createSession, deleteSessionByToken, type SessionUser } from "@/lib/server/auth/sessions";
import { db } from "@/lib/server/db/client";
import { emailSchema } from "@/lib/schemas/auth";
import { safeReturnPath } from "@/lib/schemas/return-path";
import { withoutInvisibleCharacters } from "@/lib/schemas/text";
import { groupsFrom, readClaim } from "./group-mapping";
import { applyProviderAccess } from "./provider-access";
import { client, discoverProvider, isUnreachable, providerErrorDetail, SsoError, toSsoError } from "./oidc-client";
import { openAttemptSecrets, openClientSecret, sealAttemptSecrets } from "./secret-vault";

/** How long a browser may take at the provider's login page. */
const ATTEMPT_TTL_MS = 10 * 60_000;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export const SSO_CALLBACK_PATH = "/api/v1/auth/sso/callback";

async function loadProvider(where: { slug: string } | { id: string }) {
  const provider = await db().ssoProvider.findFirst({
    where: { ...where, enabled: true },
    omit: { clientSecretEnvelope: false },
    include: { mappings: true },
  });
  if (!provider) throw new SsoError("provider_unknown");
  return provider;
}

type Provider = Awaited<ReturnType<typeof loadProvider>>;

async function configFor(provider: Provider) {
  try {
    return await discoverProvider({
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret: openClientSecret(provider.id, provider.clientSecretEnvelope),
    });
  } catch (error) {
    throw new SsoError(isUnreachable(error) ? "provider_unreachable" : "provider_misconfigured");
  }
}

/** Sign-ins abandoned at the provider; removed at each start and by the periodic maintenance. */
export async function deleteExpiredSsoAttempts(): Promise<number> {
  const { count } = await db().ssoLoginAttempt.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  return count;
}

/**
 * Begins a sign-in: a fresh state, nonce and PKCE verifier, kept server-side (sealed) for one use
 * and bound to this browser by a random cookie (so a callback started in another browser,
 * a login-CSRF, is refused). Returns where to send the browser.
 */
export async function startSsoSignIn(input: { slug: string; returnTo: string | undefined; redirectUri: string }) {
  // The first account is the local admin of the setup: an SSO user made first would close the setup.
  if (await needsFirstAdmin()) throw new SsoError("setup_pending");
  const provider = await loadProvider({ slug: input.slug });
  const config = await configFor(provider);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const browserBinding = randomBytes(32).toString("base64url");
  await deleteExpiredSsoAttempts();
  const id = sha256(state);
  await db().ssoLoginAttempt.create({
    data: {
      id,
      providerId: provider.id,
      browserHash: sha256(browserBinding),
      sealed: sealAttemptSecrets(id, { codeVerifier, nonce }),
      returnTo: safeReturnPath(input.returnTo),
      expiresAt: new Date(Date.now() + ATTEMPT_TTL_MS),
    },
  });
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: input.redirectUri,
    scope: provider.scopes.join(" "),
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  return { url: url.href, browserBinding, provider: provider.slug };
}

export interface SsoSignInResult {
  user: SessionUser;
  token: string;
  expiresAt: Date;
  returnTo: string;
  provider: { id: string; slug: string };
  groups: string[];
  added: { teamId: string; teamName: string; role: string }[];
  removed: { teamId: string; teamName: string }[];
  adminChanged: boolean | null;
  created: boolean;
}

/** The provider slug of a failed callback, when the state still named one (for the audit row). */
export class SsoCallbackError extends SsoError {
  constructor(
    error: SsoError,
    readonly providerSlug: string | null,
    readonly email: string | null,
  ) {
    super(error.code, error.detail);
  }
}

/**
 * Completes a sign-in at the callback: the state is consumed (once, by this browser), the
 * code exchanged with the PKCE verifier, the ID token checked by openid-client (signature
 * from the provider's JWKS, issuer, audience, expiry, nonce), userinfo read when the token
 * lacks the email or groups; then, in one transaction, the user is created or updated and
 * their provider memberships are set to exactly what their groups map to.
 */
export async function completeSsoSignIn(input: {
  query: URLSearchParams;
  browserBinding: string | undefined;
  redirectUri: string;
  previousSessionToken?: string;
  clientIp: string | null;
  userAgent: string | null;
}): Promise<SsoSignInResult> {
  let providerSlug: string | null = null;
  let email: string | null = null;
  try {
    const state = input.query.get("state");
    if (!state || state.length > 512) throw new SsoError("state_invalid", "state");
    // Consumed before anything else: a replayed state finds nothing.
    const attempt = await db()
      .ssoLoginAttempt.delete({ where: { id: sha256(state) }, omit: { sealed: false } })
      .catch(() => null);
    if (!attempt || attempt.expiresAt.getTime() < Date.now()) throw new SsoError("state_invalid", "state");
    if (!input.browserBinding || sha256(input.browserBinding) !== attempt.browserHash)
      throw new SsoError("state_invalid", "state");

    const secrets = (() => {
      try {
        return openAttemptSecrets(attempt.id, attempt.sealed);
      } catch {
        // Not sealed for this attempt (a row copied or altered in the database): no sign-in from it.
        throw new SsoError("state_invalid", "state");
      }
    })();
    const provider = await loadProvider({ id: attempt.providerId });
    providerSlug = provider.slug;
    if (input.query.get("error")) throw new SsoError("provider_denied", providerErrorDetail(input.query.get("error")));

    const config = await configFor(provider);
    const currentUrl = new URL(input.redirectUri);
    for (const [key, value] of input.query) currentUrl.searchParams.append(key, value);
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: secrets.codeVerifier,
        expectedState: state,
        expectedNonce: secrets.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new SsoError("token_invalid", "other");
      claims = { ...idClaims };
      const lacks = (name: string) => readClaim(claims, name) === undefined;
      if (
        (lacks(provider.emailClaim) || lacks(provider.groupsClaim) || lacks(provider.nameClaim)) &&
        config.serverMetadata().userinfo_endpoint
      ) {
        const userinfo = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        // The ID token's claims win; userinfo fills what the token does not carry.
        claims = { ...userinfo, ...claims };
      }
    } catch (error) {
      throw toSsoError(error);
    }

    const emailParsed = emailSchema.safeParse(readClaim(claims, provider.emailClaim));
    if (!emailParsed.success) throw new SsoError("email_missing");
    email = emailParsed.data;
    // The email becomes the user's name on clusters (Impersonate-User): an address the
    // provider itself marks unverified could be someone else's.
    if (readClaim(claims, "email_verified") === false || readClaim(claims, "email_verified") === "false")
      throw new SsoError("email_unverified");
    const domain = email.split("@")[1]!;
    if (provider.allowedEmailDomains.length > 0 && !provider.allowedEmailDomains.includes(domain))
      throw new SsoError("domain_not_allowed");
    const groups = groupsFrom(readClaim(claims, provider.groupsClaim));
    // A provider's name claim is not checked by a form: invisible and direction-changing characters
    // are removed (lib/schemas/text.ts), and it is cut by code points so no half surrogate pair is left.
    const rawName = readClaim(claims, provider.nameClaim);
    const cleanName = typeof rawName === "string" ? Array.from(withoutInvisibleCharacters(rawName).trim()) : [];
    const name = cleanName.length > 0 ? cleanName.slice(0, 100).join("").trim() : email;
    const subject = String(claims.sub);

    const synced = await syncUser({ provider, subject, email, name, groups });
    await deleteSessionByToken(input.previousSessionToken);
    const syncedAt = new Date();
    const session = await createSession(synced.user.id, {
      clientIp: input.clientIp,
      userAgent: input.userAgent,
      sso: { providerId: provider.id, syncedAt },
    });
    return {
      ...synced,
      token: session.token,
      expiresAt: session.expiresAt,
      returnTo: attempt.returnTo,
      provider: { id: provider.id, slug: provider.slug },
      groups,
    };
  } catch (error) {
    // Anything else (the database, a bug) is not the user's sign-in problem: the route answers 500 and logs it.
    if (!(error instanceof SsoError)) throw error;
    throw new SsoCallbackError(error, providerSlug, email);
  }
}

async function syncUser(input: { provider: Provider; subject: string; email: string; name: string; groups: string[] }) {
  const { provider } = input;
  return db().$transaction(async (tx) => {
    let user = await tx.user.findUnique({
      where: { ssoProviderId_ssoSubject: { ssoProviderId: provider.id, ssoSubject: input.subject } },
    });
    const created = !user;
    // Checked again where the user would be created, so no path makes an SSO user the first account.
    if (created && (await tx.user.count()) === 0) throw new SsoError("setup_pending");
    const holder = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (holder && holder.id !== user?.id) throw new SsoError("email_taken");
    if (user?.disabledAt) throw new SsoError("account_disabled");
    const data = { email: input.email, name: input.name, ssoGroups: input.groups, ssoSyncedAt: new Date() };
    user = user
      ? await tx.user.update({ where: { id: user.id }, data })
      : await tx.user.create({
          data: { ...data, passwordHash: "", ssoProviderId: provider.id, ssoSubject: input.subject },
        });
    const changes = await applyProviderAccess(tx, user, input.groups, provider.mappings);
    const isAdmin = changes.adminChanged ?? user.isAdmin;
    return {
      user: { id: user.id, email: user.email, name: user.name, isAdmin },
      ...changes,
      created,
    };
  });
}
