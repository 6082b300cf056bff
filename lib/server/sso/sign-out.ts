import "server-only";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import { client, discoverProvider } from "./oidc-client";

/**
 * Where to send the browser to sign out at the provider too (RP-initiated logout), when the
 * provider offers an end_session_endpoint; null otherwise or when it cannot be reached
 * (the Archipelago session is ended either way). No id_token_hint: we do not keep ID tokens,
 * so the provider identifies the client by client_id and may ask the user to confirm.
 */
export async function endSessionUrl(providerId: string, postLogoutRedirectUri: string): Promise<string | null> {
  const provider = await db().ssoProvider.findUnique({ where: { id: providerId } });
  if (!provider) return null;
  try {
    const config = await discoverProvider({ issuer: provider.issuer, clientId: provider.clientId });
    if (!config.serverMetadata().end_session_endpoint) return null;
    return client.buildEndSessionUrl(config, { post_logout_redirect_uri: postLogoutRedirectUri }).href;
  } catch {
    logger.warn({ provider: provider.slug }, "provider not reachable for sign-out; signed out of Archipelago only");
    return null;
  }
}
