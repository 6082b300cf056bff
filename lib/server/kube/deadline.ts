import "server-only";
import { ClusterTimeoutError } from "./errors";

/**
 * One deadline for everything a fan-out asks of one cluster (discovery, reads, dry-runs): an
 * AbortSignal that fires after `timeoutMs` with a ClusterTimeoutError as its reason. Each call
 * still has its own per-request limit; the signal makes sure several calls in a row cannot
 * each take the full limit, so a cluster costs its fan-out at most `timeoutMs` in all.
 */
export function clusterDeadline(timeoutMs: number): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new ClusterTimeoutError(timeoutMs)), timeoutMs);
  timer.unref?.();
  return controller.signal;
}

/** The reason an aborted deadline carries, as an error the cluster error mapping knows. */
export const deadlineReason = (signal: AbortSignal): Error =>
  signal.reason instanceof Error ? signal.reason : new ClusterTimeoutError(0);

/** Waits for `work` (shared with other callers, so not cancelled) until `signal` ends the wait. */
export function untilDeadline<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(deadlineReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(deadlineReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
