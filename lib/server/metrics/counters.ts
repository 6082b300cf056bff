import "server-only";
import { Counter as PromCounter } from "prom-client";
import { defineOnce } from "./registry";

/**
 * Sign-in slowdown counters, exported on GET /metrics through prom-client. Each also keeps
 * its process-local total in `value`, so a caller (or a test) can read it without a scrape.
 */
export interface Counter {
  readonly name: string;
  readonly help: string;
  inc(by?: number): void;
  readonly value: number;
}

function counter(name: string, help: string): Counter {
  return defineOnce(name, (registry) => {
    const metric = new PromCounter({ name, help, registers: [registry] });
    let value = 0;
    return {
      name,
      help,
      inc: (by = 1) => {
        value += by;
        metric.inc(by);
      },
      get value() {
        return value;
      },
    };
  });
}

/** An account went over its failed sign-in limit within a window (once per account and window). */
export const signInAccountSlowdowns = counter(
  "archipelago_sign_in_account_slowdowns_total",
  "Accounts that went over their failed sign-in limit in a throttle window; further attempts on them are delayed",
);

/** Sign-in attempts refused with 429 because the account is in its growing delay. */
export const signInAttemptsDelayed = counter(
  "archipelago_sign_in_attempts_delayed_total",
  "Sign-in attempts refused because their account is delayed after too many failures from all addresses",
);
