import "server-only";
import { recordAudit } from "@/lib/server/audit/record";
import { env } from "@/lib/server/config/env";
import { logger } from "@/lib/server/log/logger";
import { signInAccountSlowdowns } from "@/lib/server/metrics/counters";

/**
 * Tells admins that an account is being guessed at from many addresses: one audit row and
 * one count when an account goes over its limit in a window (throttle.ts reports that
 * moment once, not every delayed attempt; each attempt already has its own sign-in row).
 * The email is the one that was tried, whether or not such an account exists.
 */
export async function reportAccountSlowdown(
  email: string,
  crossed: { failures: number; limit: number },
  context: { requestId: string; clientIp: string | null },
): Promise<void> {
  signInAccountSlowdowns.inc();
  logger.warn({ requestId: context.requestId, email }, "sign-in attempts on an account are delayed");
  try {
    await recordAudit({
      actor: null,
      action: "auth.sign-in-delayed",
      target: { kind: "Account", name: email },
      result: "denied",
      requestId: context.requestId,
      clientIp: context.clientIp,
      details: {
        reason: "failed sign-ins from all addresses over the account's limit",
        failures: crossed.failures,
        limit: crossed.limit,
        windowSeconds: env().ARCHIPELAGO_SIGNIN_WINDOW_SECONDS,
        maxDelaySeconds: env().ARCHIPELAGO_SIGNIN_ACCOUNT_MAX_DELAY_SECONDS,
      },
    });
  } catch (error) {
    // The delay holds whether or not the notice is written; the attempt's own row is fail-closed in route().
    logger.error(
      { requestId: context.requestId, errorName: error instanceof Error ? error.name : "unknown" },
      "the audit row of a delayed account could not be written",
    );
  }
}
