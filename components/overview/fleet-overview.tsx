"use client";

import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import Link from "next/link";
import type { ClusterStatus } from "@/lib/api/cluster-types";
import { overviewLinks } from "@/lib/api/overview";
import type { OverviewResponse } from "@/lib/api/overview-types";
import { HEALTH_STATES } from "@/lib/k8s/kinds";
import { overviewQuery } from "@/lib/queries/overview";
import { EmptyState } from "@/components/ui/empty-state";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { HEALTH_COLORS, HEALTH_LABELS } from "./health-colors";
import { WorkloadTable } from "./workload-table";

// The chart draws on a canvas in the browser only; the table below carries the same numbers.
const WorkloadHeatmap = dynamic(() => import("./workload-heatmap").then((m) => m.WorkloadHeatmap), { ssr: false });

const STATUS_LABELS: Record<ClusterStatus, string> = {
  reachable: "Reachable",
  unreachable: "Unreachable",
  never_checked: "Never checked",
};

export function FleetOverview() {
  const { data, isPending, error } = useQuery(overviewQuery());
  return (
    <QueryState isPending={isPending} error={error} label="Overview">
      {data ? <OverviewBody data={data} /> : null}
    </QueryState>
  );
}

function OverviewBody({ data }: { data: OverviewResponse }) {
  if (data.clusters.total === 0)
    return (
      <EmptyState
        title="No cluster to show"
        description="No cluster is registered yet, or none is granted to your teams."
        action={
          <Link href="/clusters" className="text-sm font-semibold text-indigo-700 hover:underline">
            Go to clusters
          </Link>
        }
      />
    );
  const workloadTotal = HEALTH_STATES.reduce((n, state) => n + data.workloads.totals[state], 0);
  const problems = data.workloads.clusters.filter(
    (c) => c.status !== "reachable" || c.inventory !== "ok" || c.workloads.failed > 0 || c.workloads.degraded > 0,
  );
  const summary =
    `Heat map of workloads by health on ${data.workloads.clusters.length} clusters: ` +
    HEALTH_STATES.map((s) => `${data.workloads.totals[s]} ${s}`).join(", ") +
    ". The table below lists every cell.";
  return (
    <div className="space-y-6">
      <Section title="Clusters">
        <ul className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Stat label="Clusters" value={data.clusters.total} href={overviewLinks.clusters()} testId="clusters-total" />
          {(["reachable", "unreachable", "never_checked"] as const).map((status) => (
            <Stat
              key={status}
              label={STATUS_LABELS[status]}
              value={data.clusters.byStatus[status]}
              href={overviewLinks.clusters(status)}
              testId={`clusters-${status}`}
              tone={status === "unreachable" && data.clusters.byStatus[status] > 0 ? "bad" : undefined}
            />
          ))}
        </ul>
      </Section>

      <Section title="Workloads by health">
        <ul className="mb-4 grid grid-cols-2 gap-3 sm:grid-cols-6">
          <Stat label="Workloads" value={workloadTotal} href={overviewLinks.workloads()} testId="workloads-total" />
          {HEALTH_STATES.map((state) => (
            <Stat
              key={state}
              label={HEALTH_LABELS[state]}
              value={data.workloads.totals[state]}
              href={overviewLinks.workloads(state)}
              testId={`workloads-${state}`}
              color={HEALTH_COLORS[state]}
            />
          ))}
        </ul>
        {problems.length > 0 ? (
          <div className="mb-4 text-sm">
            <h3 className="font-medium text-slate-900">Clusters that need a look ({problems.length})</h3>
            <ul className="mt-1 flex flex-wrap gap-2">
              {problems.slice(0, 20).map((c) => (
                <li key={c.id}>
                  <Link
                    href={overviewLinks.workloads(c.workloads.failed > 0 ? "failed" : undefined, c.name)}
                    className="rounded bg-red-50 px-2 py-0.5 text-red-800 ring-1 ring-red-200 hover:underline"
                  >
                    {c.name}: {problemText(c)}
                  </Link>
                </li>
              ))}
              {problems.length > 20 ? (
                <li className="text-slate-600">and {problems.length - 20} more in the table</li>
              ) : null}
            </ul>
          </div>
        ) : null}
        <WorkloadHeatmap clusters={data.workloads.clusters} summary={summary} />
        <details className="mt-4">
          <summary className="cursor-pointer text-sm font-medium text-indigo-700">
            Show as a table ({data.workloads.clusters.length} clusters)
          </summary>
          <WorkloadTable clusters={data.workloads.clusters} />
        </details>
      </Section>

      <div className="grid gap-6 lg:grid-cols-2">
        <Section title={`Rollouts in flight (${data.rollouts.total})`}>
          {data.rollouts.items.length === 0 ? (
            <p className="text-sm text-slate-600">No rollout is running.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="rollouts-in-flight">
              {data.rollouts.items.map((r) => (
                <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                  <Link href={overviewLinks.rollout(r.id)} className="font-medium text-indigo-700 hover:underline">
                    {r.release}
                  </Link>
                  <span className="text-slate-700">
                    {r.state.replace("_", " ")} · wave {Math.min(r.currentWave + 1, r.waves)} of {r.waves} ·{" "}
                    {r.succeeded}/{r.targets} done{r.failed ? ` · ${r.failed} failed` : ""}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {data.rollouts.total > data.rollouts.items.length ? (
            <Link href="/rollouts" className="mt-2 inline-block text-sm text-indigo-700 hover:underline">
              All {data.rollouts.total} rollouts in flight
            </Link>
          ) : null}
        </Section>
        <Section title={`Releases with drift (${data.releases.drifted})`}>
          {data.releases.items.length === 0 ? (
            <p className="text-sm text-slate-600">No release has drifted.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="releases-drifted">
              {data.releases.items.map((r) => (
                <li key={r.id} className="flex items-center justify-between gap-2 py-2">
                  <Link href={overviewLinks.release(r.id)} className="font-medium text-indigo-700 hover:underline">
                    {r.name}
                  </Link>
                  <span className="text-slate-700">
                    {r.drifted} of {r.clusters} clusters drifted
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Section>
      </div>
    </div>
  );
}

function problemText(c: OverviewResponse["workloads"]["clusters"][number]): string {
  if (c.status === "unreachable") return "unreachable";
  if (c.inventory !== "ok") return c.inventory.replace("_", " ");
  const parts = [];
  if (c.workloads.failed) parts.push(`${c.workloads.failed} failed`);
  if (c.workloads.degraded) parts.push(`${c.workloads.degraded} degraded`);
  return parts.join(", ") || STATUS_LABELS[c.status].toLowerCase();
}

function Stat({
  label,
  value,
  href,
  testId,
  tone,
  color,
}: {
  label: string;
  value: number;
  href: string;
  testId: string;
  tone?: "bad";
  color?: string;
}) {
  return (
    <li>
      <Link
        href={href}
        data-testid={`overview-${testId}`}
        className="block rounded-md px-3 py-2 ring-1 ring-slate-200 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        <span className="flex items-center gap-1.5 text-xs font-medium text-slate-600">
          {color ? (
            <span className="size-2 rounded-full" style={{ backgroundColor: color }} aria-hidden="true" />
          ) : null}
          {label}
        </span>
        <span className={`block text-2xl font-semibold ${tone === "bad" ? "text-red-700" : "text-slate-900"}`}>
          {value}
        </span>
      </Link>
    </li>
  );
}
