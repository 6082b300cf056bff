import "server-only";
import { createHash, randomBytes } from "node:crypto";

export const SESSION_COOKIE = "archipelago_session";

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** 256 random bits; the cookie carries the token, the database only its hash. */
export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export function sessionIdFromToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
