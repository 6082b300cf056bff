import type { ClusterResult } from "@/lib/api/inventory-types";
import { formatDuration } from "@/lib/format/duration";
import { summariseAnswers } from "./summarise-answers";

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

/**
 * Which clusters answered, how, and which did not: shown with every inventory result. A small
 * fleet lists every answer; at fleet size the strip is a summary (counts by state, the clusters
 * with a problem named) and the full list waits behind a disclosure, so objects stay on the
 * first screen.
 */
export function ClusterStatusStrip({ clusters }: { clusters: ClusterResult[] }) {
  if (clusters.length === 0) return null;
  const summary = summariseAnswers(clusters);
  if (summary.listAll) return <AnswerList label="Cluster answers" clusters={summary.all} />;
  return (
    <div className="space-y-2" data-testid="answer-summary">
      <p className="text-xs text-slate-700">
        <span className="font-semibold">{clusters.length} clusters:</span>{" "}
        {summary.counts.map((entry) => `${entry.count} ${LABELS[entry.state]}`).join(" · ")}
      </p>
      {summary.problems.length ? (
        <AnswerList label="Clusters with a problem" clusters={summary.problems.slice(0, 20)} />
      ) : null}
      {summary.problems.length > 20 ? (
        <p className="text-xs text-slate-600">and {summary.problems.length - 20} more with a problem below</p>
      ) : null}
      <details>
        <summary className="cursor-pointer text-xs font-medium text-indigo-700">
          Show every cluster&apos;s answer ({clusters.length})
        </summary>
        <div className="mt-2">
          <AnswerList label="Cluster answers" clusters={summary.all} />
        </div>
      </details>
    </div>
  );
}

function AnswerList({ label, clusters }: { label: string; clusters: ClusterResult[] }) {
  return (
    <ul aria-label={label} className="flex flex-wrap gap-2">
      {clusters.map((cluster) => (
        <li
          key={cluster.id}
          data-testid={label === "Cluster answers" ? `answer-${cluster.name}` : undefined}
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
              {cluster.count === null ? null : ` · ${cluster.count}`} · {formatDuration(cluster.waitedMs)}
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
