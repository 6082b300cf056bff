import "server-only";
import type { SignInBody } from "@/lib/schemas/auth";
import { AppError, rateLimited } from "@/lib/server/errors/app-error";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import { signInAttemptsDelayed } from "@/lib/server/metrics/counters";
import { passwordSignInPolicy } from "./auth-settings";
import { issueDeviceCookie, verifiedDeviceId } from "./device-cookie";
import { burnPasswordCheck, verifyPassword } from "./password";
import { createSession, deleteSessionByToken, type SessionUser } from "./sessions";
import { reportAccountSlowdown } from "./slowdown-report";
import { forgiveSignInAttempt, signInThrottleKeys, takeSignInAttempt } from "./throttle";

export interface SignInContext {
  clientIp: string | null;
  userAgent: string | null;
  /** A session cookie presented with the sign-in request; it is ended (rotation). */
  previousToken?: string;
  /** The known-device cookie presented with the request (device-cookie.ts), if any. */
  deviceCookie?: string;
  requestId: string;
}

export interface SignInResult {
  user: SessionUser;
  token: string;
  expiresAt: Date;
  /** A fresh known-device cookie for this browser and account. */
  deviceCookie: { value: string; expiresAt: Date };
}

/** The same answer for unknown email, wrong password and disabled user. */
const invalidCredentials = () => new AppError(401, "invalid_credentials", "Email or password is incorrect");

export async function signIn(body: SignInBody, context: SignInContext): Promise<SignInResult> {
  // Decided on the email alone, before anything is looked up, so the answer tells nothing about the account.
  const policy = await passwordSignInPolicy(body.email);
  if (policy === "refused")
    throw new AppError(
      403,
      "password_sign_in_off",
      "Password sign-in is turned off: sign in with your organisation's identity provider",
    );
  const deviceId = await verifiedDeviceId(body.email, context.deviceCookie);
  const keys = signInThrottleKeys(body.email, context.clientIp, deviceId);
  const attempt = await takeSignInAttempt(keys);
  if (attempt.accountLimitCrossed) await reportAccountSlowdown(body.email, attempt.accountLimitCrossed, context);
  if (attempt.retryAfter !== null) {
    if (attempt.accountDelayed) signInAttemptsDelayed.inc();
    logger.warn(
      { requestId: context.requestId, email: body.email, clientIp: context.clientIp, knownDevice: deviceId !== null },
      "sign-in throttled",
    );
    throw rateLimited(attempt.retryAfter);
  }

  const user = await db().user.findUnique({
    where: { email: body.email },
    select: {
      id: true,
      email: true,
      name: true,
      isAdmin: true,
      disabledAt: true,
      passwordHash: true,
      ssoProviderId: true,
    },
  });
  const passwordOk = user
    ? await verifyPassword(user.passwordHash, body.password)
    : await burnPasswordCheck(body.password);

  // Single sign-on accounts have no password (their hash is empty and never verifies).
  // Break-glass is for local admins only: a listed account that is not one gets the usual answer.
  const notBreakGlass = policy === "break-glass" && !user?.isAdmin;
  if (!user || !passwordOk || user.disabledAt || user.ssoProviderId || notBreakGlass) {
    logger.info({ requestId: context.requestId, email: body.email, clientIp: context.clientIp }, "sign-in failed");
    throw invalidCredentials();
  }

  await forgiveSignInAttempt(keys);
  await deleteSessionByToken(context.previousToken);
  const session = await createSession(user.id, { clientIp: context.clientIp, userAgent: context.userAgent });
  logger.info({ requestId: context.requestId, userId: user.id }, "signed in");
  return {
    user: { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin },
    token: session.token,
    expiresAt: session.expiresAt,
    deviceCookie: await issueDeviceCookie(body.email),
  };
}
