import "server-only";
import { recordAudit } from "@/lib/server/audit/record";
import { logger } from "@/lib/server/log/logger";
import type { SsoCallbackError, SsoSignInResult } from "./sign-in-flow";

interface Meta {
  requestId: string;
  clientIp: string | null;
}

/**
 * The callback is a GET (the provider redirects the browser), so route() does not audit it:
 * these rows do. A sign-in row names the provider and the groups received; each membership
 * added or removed by the sync gets its own row. Never a token, code or secret.
 */
export async function auditSsoSignIn(result: SsoSignInResult, meta: Meta): Promise<void> {
  const actor = { userId: result.user.id, email: result.user.email, via: "sso" as const };
  const base = { actor, requestId: meta.requestId, clientIp: meta.clientIp, result: "success" as const };
  await recordAudit({
    ...base,
    action: "auth.sso.sign-in",
    httpStatus: 302,
    details: {
      provider: result.provider.slug,
      groups: result.groups,
      created: result.created,
      teamsAdded: result.added.map((m) => `${m.teamName} (${m.role})`),
      teamsRemoved: result.removed.map((m) => m.teamName),
      ...(result.adminChanged === null ? {} : { admin: result.adminChanged }),
    },
  });
  for (const membership of result.added)
    await recordAudit({
      ...base,
      action: "sso.membership.set",
      target: { kind: "Team", name: membership.teamName },
      details: { user: result.user.email, role: membership.role, provider: result.provider.slug },
    });
  for (const membership of result.removed)
    await recordAudit({
      ...base,
      action: "sso.membership.remove",
      target: { kind: "Team", name: membership.teamName },
      details: { user: result.user.email, provider: result.provider.slug },
    });
  logger.info(
    { requestId: meta.requestId, userId: result.user.id, provider: result.provider.slug },
    "signed in through single sign-on",
  );
}

export async function auditSsoFailure(error: SsoCallbackError, meta: Meta): Promise<void> {
  logger.warn(
    { requestId: meta.requestId, provider: error.providerSlug, reason: error.code, detail: error.detail },
    "single sign-on refused",
  );
  await recordAudit({
    actor: error.email ? { userId: null, email: error.email, via: "sso" } : null,
    action: "auth.sso.sign-in",
    result: error.code === "provider_unreachable" || error.code === "provider_misconfigured" ? "failure" : "denied",
    httpStatus: 302,
    requestId: meta.requestId,
    clientIp: meta.clientIp,
    details: { provider: error.providerSlug, reason: error.code, ...(error.detail ? { check: error.detail } : {}) },
  });
}
