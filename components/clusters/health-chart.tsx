import type { HealthCheckView } from "@/lib/api/cluster-types";

/** The last checks as bars: height is latency, red marks a failed check. */
export function HealthChart({ checks }: { checks: HealthCheckView[] }) {
  if (checks.length === 0) return <p className="text-sm text-slate-500">No checks yet.</p>;
  const width = 600;
  const height = 80;
  const barWidth = width / Math.max(checks.length, 20);
  const maxLatency = Math.max(50, ...checks.map((check) => check.latencyMs ?? 0));
  const failures = checks.filter((check) => !check.ok).length;
  return (
    <figure>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="h-20 w-full"
        role="img"
        aria-label={`Last ${checks.length} health checks, ${failures} failed`}
      >
        {checks.map((check, index) => {
          const barHeight = check.ok ? Math.max(3, ((check.latencyMs ?? 0) / maxLatency) * (height - 4)) : height - 4;
          return (
            <rect
              key={check.checkedAt}
              x={index * barWidth + 1}
              y={height - barHeight}
              width={Math.max(1, barWidth - 2)}
              height={barHeight}
              className={check.ok ? "fill-emerald-400" : "fill-red-400"}
            >
              <title>{`${new Date(check.checkedAt).toLocaleString()}: ${check.ok ? `${check.latencyMs} ms` : (check.errorMessage ?? "failed")}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption className="mt-1 text-xs text-slate-500">
        Last {checks.length} checks · {failures} failed · highest latency {maxLatency} ms
      </figcaption>
    </figure>
  );
}
