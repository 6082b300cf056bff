import "server-only";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { sealedKey } from "@/lib/server/db/sealed-keys";

/**
 * Known-device cookies (OWASP, "Slow down online guessing attacks with device cookies"): a
 * successful sign-in gives the browser a cookie bound to the account, signed with a key kept
 * sealed under the master keyring (table sealed_keys). A sign-in that presents a valid one for
 * the account it tries is not held by the account-wide delay that distributed guessing sets
 * off (throttle.ts), so the owner gets in at once however steady the attack; the device has
 * its own failure bound instead, so a stolen cookie cannot be used to guess fast. The cookie
 * holds no secret of the account: a random device id, when it was issued, and the signature.
 */

export const DEVICE_COOKIE = "archipelago_device";
/** Sent only with sign-in requests. */
export const DEVICE_COOKIE_PATH = "/api/v1/auth/sign-in";
export const DEVICE_COOKIE_LIFETIME_SECONDS = 180 * 24 * 60 * 60;

const key = sealedKey("sign-in-device");
const PATTERN = /^([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

async function signature(email: string, deviceId: string, issuedAt: number): Promise<Buffer> {
  return createHmac("sha256", await key.get())
    .update(`device\u0000${email.toLowerCase()}\u0000${deviceId}\u0000${issuedAt}`)
    .digest();
}

export async function issueDeviceCookie(email: string, now = new Date()): Promise<{ value: string; expiresAt: Date }> {
  const deviceId = randomBytes(16).toString("base64url");
  const issuedAt = Math.floor(now.getTime() / 1000);
  const mac = (await signature(email, deviceId, issuedAt)).toString("base64url");
  return {
    value: `${deviceId}.${issuedAt}.${mac}`,
    expiresAt: new Date((issuedAt + DEVICE_COOKIE_LIFETIME_SECONDS) * 1000),
  };
}

/** The device id of a valid, unexpired cookie issued for this account, else null (missing, altered, another account's). */
export async function verifiedDeviceId(
  email: string,
  cookie: string | undefined,
  now = new Date(),
): Promise<string | null> {
  const match = cookie ? PATTERN.exec(cookie) : null;
  if (!match) return null;
  const [, deviceId, issued, mac] = match as unknown as [string, string, string, string];
  const issuedAt = Number(issued);
  const age = now.getTime() / 1000 - issuedAt;
  if (age < -60 || age > DEVICE_COOKIE_LIFETIME_SECONDS) return null;
  const expected = await signature(email, deviceId, issuedAt);
  const given = Buffer.from(mac, "base64url");
  return given.length === expected.length && timingSafeEqual(given, expected) ? deviceId : null;
}

/** Test seam: a fresh database has another key. */
export const forgetDeviceCookieKey = (): void => key.forget();

/** For master-key rotation: re-wraps the sealed signing key. */
export const rewrapDeviceCookieKey = (): Promise<number> => key.rewrap();
