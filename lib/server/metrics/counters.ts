import "server-only";

/**
 * Process-local counters, named and shaped like Prometheus counters, so that a later
 * /metrics endpoint (prom-client's Counter with a `collect` reading `value`) exposes them
 * under these names without touching the code that counts. Hand-written because nothing
 * exports metrics yet and one integer per counter does not need a library.
 */
export interface Counter {
  readonly name: string;
  readonly help: string;
  inc(by?: number): void;
  readonly value: number;
}

const registry = new Map<string, Counter>();

function counter(name: string, help: string): Counter {
  const existing = registry.get(name);
  if (existing) return existing;
  let value = 0;
  const made: Counter = {
    name,
    help,
    inc: (by = 1) => {
      value += by;
    },
    get value() {
      return value;
    },
  };
  registry.set(name, made);
  return made;
}

/** Every counter, for an exporter. */
export const allCounters = (): Counter[] => [...registry.values()];

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
