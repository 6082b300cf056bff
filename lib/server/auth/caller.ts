import "server-only";
import { validateSession, type SessionUser } from "./sessions";

/** Who is making a request, established once per request by the single door. */
export interface Caller {
  user: SessionUser;
  /** How the caller proved who they are; only cookie-based callers need CSRF defences. */
  via: "session";
  sessionId: string;
}

export interface Credentials {
  sessionToken?: string;
}

export async function authenticate(credentials: Credentials): Promise<Caller | null> {
  const session = await validateSession(credentials.sessionToken);
  if (!session) return null;
  return { user: session.user, via: "session", sessionId: session.sessionId };
}
