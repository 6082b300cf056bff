import "server-only";
import http from "node:http";
import https from "node:https";
import { guardedLookup, isBlockedAddress, normalizeAddress } from "@/lib/server/kube/address-guard";
import { protectedEndpoints } from "@/lib/server/kube/protected-endpoints";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signBody } from "./signature";
import { webhookPort } from "./webhook-address";

export interface SendOutcome {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  /** Why it failed, in words safe for the owner to read (no secret, no body of ours). */
  error: string | null;
}

const SEND_TIMEOUT_MS = 10_000;

/**
 * One signed POST. node:http rather than fetch because the connection must resolve through
 * the address guard (guardedLookup refuses link-local, metadata and our own endpoints at
 * connect time); redirects are not followed (a redirect could lead to a refused address).
 */
export function sendWebhook(
  rawUrl: string,
  body: string,
  secret: Buffer,
  contentType = "application/json",
): Promise<SendOutcome> {
  const url = new URL(rawUrl);
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const client = url.protocol === "https:" ? https : http;
  // Node calls `lookup` only for names: an address literal is checked here, at every send.
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literalProblem = normalizeAddress(host) ? isBlockedAddress(host, webhookPort(url), protectedEndpoints()) : null;
  if (literalProblem)
    return Promise.resolve({
      ok: false,
      statusCode: null,
      durationMs: 0,
      error: `Webhook address is refused: ${literalProblem}`,
    });
  return new Promise((resolve) => {
    const request = client.request(
      url,
      {
        method: "POST",
        lookup: guardedLookup(webhookPort(url), protectedEndpoints) as unknown as http.RequestOptions["lookup"],
        headers: {
          "content-type": contentType,
          "content-length": Buffer.byteLength(body),
          "user-agent": "Archipelago-Webhook/1",
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signBody(secret, timestamp, body),
        },
        timeout: SEND_TIMEOUT_MS,
      },
      (response) => {
        // The answer's body is not kept (it is the receiver's, and may be large): drained and dropped.
        response.resume();
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          resolve({ ok, statusCode: status, durationMs: elapsed(), error: ok ? null : `Receiver answered ${status}` });
        });
        response.on("error", () =>
          resolve({
            ok: false,
            statusCode: response.statusCode ?? null,
            durationMs: elapsed(),
            error: "Answer cut off",
          }),
        );
      },
    );
    request.on("timeout", () => request.destroy(new Error(`No answer within ${SEND_TIMEOUT_MS / 1000} s`)));
    request.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, statusCode: null, durationMs: elapsed(), error: describe(error) }),
    );
    request.end(body);
  });
}

function describe(error: NodeJS.ErrnoException): string {
  if (error.name === "BlockedAddressError") return error.message;
  if (error.code === "ECONNREFUSED") return "Connection refused";
  if (error.code === "ENOTFOUND") return "Host name not found";
  if (error.code === "ECONNRESET") return "Connection reset";
  return error.message.slice(0, 200);
}
