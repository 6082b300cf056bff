/**
 * Only same-site absolute paths may be used as post-sign-in destinations; anything else
 * (full URLs, protocol-relative `//host`, backslash tricks) falls back to the dashboard.
 */
export function safeReturnPath(candidate: string | undefined | null, fallback = "/overview"): string {
  if (!candidate || !candidate.startsWith("/") || candidate.startsWith("//") || candidate.includes("\\")) {
    return fallback;
  }
  return candidate;
}
