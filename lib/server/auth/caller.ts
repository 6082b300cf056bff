import "server-only";
import { validateApiToken } from "./api-tokens";
import { validateSession, type SessionUser } from "./sessions";

/** Who is making a request, established once per request by the single door. */
export interface Caller {
  user: SessionUser;
  /** How the caller proved who they are; only cookie-based callers need CSRF defences. */
  via: "session" | "token";
  sessionId?: string;
  tokenId?: string;
}

export interface Credentials {
  sessionToken?: string;
  /** The raw Authorization header, if any. */
  authorization?: string | null;
}

/**
 * A request with an Authorization header is judged by that header alone (a bad token is
 * a failed authentication, not a fallback to the cookie).
 */
export async function authenticate(credentials: Credentials): Promise<Caller | null> {
  if (credentials.authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(credentials.authorization.trim());
    if (!match?.[1]) return null;
    const token = await validateApiToken(match[1]);
    return token ? { user: token.user, via: "token", tokenId: token.tokenId } : null;
  }
  const session = await validateSession(credentials.sessionToken);
  if (!session) return null;
  return { user: session.user, via: "session", sessionId: session.sessionId };
}
