import "server-only";
import { createHmac } from "node:crypto";

export const TIMESTAMP_HEADER = "X-Archipelago-Timestamp";
export const SIGNATURE_HEADER = "X-Archipelago-Signature";

/**
 * `v1=<hex HMAC-SHA256 over "${timestamp}.${body}">` (README "Notifications" shows how a
 * receiver verifies it). The timestamp is inside the signed text, so a receiver that refuses
 * timestamps older than five minutes refuses replays of a captured request.
 */
export function signBody(secret: Buffer, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}
