import "server-only";
import { env } from "@/lib/server/config/env";
import type { RequestFacts } from "./request-facts";

/**
 * The origin users reach Archipelago at: ARCHIPELAGO_PUBLIC_URL when set (behind a proxy
 * that rewrites the host), else the request's scheme and Host. The SSO redirect URI is built
 * from it and must be registered at the provider exactly.
 */
export function publicOrigin(facts: RequestFacts): string {
  const configured = env().ARCHIPELAGO_PUBLIC_URL;
  if (configured) return new URL(configured).origin;
  return `${facts.secure ? "https" : "http"}://${facts.host ?? "localhost"}`;
}
