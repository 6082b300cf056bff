/**
 * A duration with the unit that reads best: "400 ms", "2.3 s", "14 s", "4 min", "1 h 5 min".
 * One formatter for every page, so a 400 ms step is never shown as "0 s".
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  // Tenths, truncated (a 2.38 s step "2.3 s"), at least 1 s once past the millisecond range.
  const tenths = Math.max(10, Math.floor(ms / 100));
  if (tenths < 100) return `${(tenths / 10).toFixed(1).replace(/\.0$/, "")} s`;
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

/** The time between two instants (the second one "now" when absent), formatted; "—" without a start. */
export function formatSpan(from: string | null, to: string | null, now = Date.now()): string {
  if (!from) return "—";
  return formatDuration((to ? new Date(to).getTime() : now) - new Date(from).getTime());
}
