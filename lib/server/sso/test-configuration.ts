import "server-only";
import { db } from "@/lib/server/db/client";
import { notFound } from "@/lib/server/errors/app-error";
import type { SsoTestResult, TestSsoProviderBody } from "@/lib/schemas/sso";
import { parseIssuerUrl } from "./issuer-url";
import { client, discoverProvider, isClientRejected, isUnreachable } from "./oidc-client";
import { openClientSecret } from "./secret-vault";

/**
 * The admin's "Test configuration" button: discovery from the issuer, the endpoints found,
 * the redirect URI to register at the provider, and whether the provider accepts the client
 * id and secret. The last is asked by redeeming a made-up authorization code: a provider
 * checks the client before the code, so `invalid_client` means the credentials are wrong and
 * any other refusal (invalid_grant) means they were accepted. Nothing is signed in.
 */
export async function testSsoConfiguration(body: TestSsoProviderBody, redirectUri: string): Promise<SsoTestResult> {
  let settings: { issuer: string; clientId: string; clientSecret?: string };
  if ("providerId" in body) {
    const row = await db().ssoProvider.findUnique({
      where: { id: body.providerId },
      omit: { clientSecretEnvelope: false },
    });
    if (!row) throw notFound("Identity provider");
    settings = {
      issuer: row.issuer,
      clientId: row.clientId,
      clientSecret: openClientSecret(row.id, row.clientSecretEnvelope),
    };
  } else settings = body;
  parseIssuerUrl(settings.issuer);

  const result: SsoTestResult = {
    ok: false,
    redirectUri,
    issuer: settings.issuer,
    clientCredentials: "not_checked",
    problems: [],
  };
  let config: client.Configuration;
  try {
    config = await discoverProvider(settings);
  } catch (error) {
    result.problems.push(
      isUnreachable(error)
        ? `The issuer could not be reached (${reachProblem(error)})`
        : "This URL is not an OpenID Connect issuer: its /.well-known/openid-configuration is missing, invalid, or names another issuer",
    );
    return result;
  }
  const meta = config.serverMetadata();
  result.discovery = {
    authorizationEndpoint: meta.authorization_endpoint ?? null,
    tokenEndpoint: meta.token_endpoint ?? null,
    userinfoEndpoint: meta.userinfo_endpoint ?? null,
    endSessionEndpoint: meta.end_session_endpoint ?? null,
    jwksUri: meta.jwks_uri ?? null,
    scopesSupported: meta.scopes_supported ?? [],
    claimsSupported: meta.claims_supported ?? [],
  };
  if (!meta.authorization_endpoint || !meta.token_endpoint || !meta.jwks_uri)
    result.problems.push("The provider's metadata lacks an authorization, token or JWKS endpoint");
  if (meta.code_challenge_methods_supported && !meta.code_challenge_methods_supported.includes("S256"))
    result.problems.push("The provider does not support PKCE with S256");

  if (settings.clientSecret !== undefined) {
    try {
      await client.genericGrantRequest(config, "authorization_code", {
        code: "archipelago-configuration-test",
        redirect_uri: redirectUri,
        code_verifier: "archipelago-configuration-test-verifier-0123456789",
      });
      result.clientCredentials = "accepted";
    } catch (error) {
      if (isClientRejected(error)) {
        result.clientCredentials = "rejected";
        result.problems.push("The provider rejected the client id or secret (invalid_client)");
      } else if (isUnreachable(error)) {
        result.problems.push(`The token endpoint could not be reached (${reachProblem(error)})`);
      } else result.clientCredentials = "accepted";
    }
  }
  result.ok = result.problems.length === 0;
  return result;
}

function reachProblem(error: unknown): string {
  const chain: Error[] = [];
  for (let current: unknown = error; current instanceof Error && chain.length < 5; current = current.cause)
    chain.push(current);
  // The address guard's refusal names what was refused (e.g. "Archipelago's own web server").
  const blocked = chain.find((e) => e.name === "BlockedAddressError");
  if (blocked) return blocked.message;
  const text = chain.map((e) => `${e.message} ${(e as { code?: string }).code ?? ""}`).join(" ");
  if (/ECONNREFUSED/.test(text)) return "connection refused";
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return "host name not found";
  if (/timed out|Timeout|ETIMEDOUT/i.test(text)) return "timed out";
  return "network error";
}
