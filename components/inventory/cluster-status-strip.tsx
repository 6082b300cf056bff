import type { ClusterResult } from "@/lib/api/inventory-types";

const STYLES: Record<ClusterResult["state"], string> = {
  ok: "bg-emerald-50 text-emerald-900 ring-emerald-200",
  stale: "bg-amber-50 text-amber-900 ring-amber-200",
  timed_out: "bg-red-50 text-red-900 ring-red-200",
  unreachable: "bg-red-50 text-red-900 ring-red-200",
  forbidden: "bg-red-50 text-red-900 ring-red-200",
};

const LABELS: Record<ClusterResult["state"], string> = {
  ok: "ok",
  stale: "stale",
  timed_out: "timed out",
  unreachable: "unreachable",
  forbidden: "forbidden",
};

/** Which clusters answered, how, and which did not: shown with every inventory result. */
export function ClusterStatusStrip({ clusters }: { clusters: ClusterResult[] }) {
  if (clusters.length === 0) return null;
  return (
    <ul aria-label="Cluster answers" className="flex flex-wrap gap-2">
      {clusters.map((cluster) => (
        <li
          key={cluster.id}
          data-testid={`answer-${cluster.name}`}
          data-state={cluster.state}
          title={[
            cluster.error?.message,
            cluster.note,
            cluster.retryAt ? `retrying at ${new Date(cluster.retryAt).toLocaleTimeString()}` : null,
          ]
            .filter(Boolean)
            .join(" · ")}
          className={`rounded-md px-2 py-1 text-xs ring-1 ring-inset ${STYLES[cluster.state]}`}
        >
          <span className="font-semibold">{cluster.name}</span> {LABELS[cluster.state]}
          {cluster.state === "ok" || cluster.state === "stale" ? (
            <span className="opacity-75">
              {" "}
              · {cluster.count} · {cluster.waitedMs} ms
            </span>
          ) : null}
          {cluster.error && cluster.state !== "ok" ? (
            <span className="block opacity-80">{cluster.error.message}</span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
