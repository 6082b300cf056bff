import "server-only";
import { AppError } from "@/lib/server/errors/app-error";
import type { RequestFacts } from "./request-facts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF defence for requests that a browser authenticates by itself (cookies): an unsafe
 * method must carry an Origin equal to our own. Requests with neither cookie nor Origin
 * from a browser are refused too: every browser sends Origin on POST/PUT/PATCH/DELETE.
 */
export function assertSameOrigin(method: string, facts: RequestFacts): void {
  if (SAFE_METHODS.has(method.toUpperCase())) return;
  if (!facts.origin || !facts.host) {
    throw new AppError(403, "origin_rejected", "Request refused: missing Origin header");
  }
  let origin: URL;
  try {
    origin = new URL(facts.origin);
  } catch {
    throw new AppError(403, "origin_rejected", "Request refused: malformed Origin header");
  }
  const expectedProtocol = facts.secure ? "https:" : "http:";
  if (origin.host !== facts.host || origin.protocol !== expectedProtocol) {
    throw new AppError(403, "origin_rejected", "Request refused: cross-site request");
  }
}
